import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { writeUnitDir } from "../../cli/validators/fixtures/unitFixtures";
import { quadletValidator, type QuadletValidation } from "../../cli/validators/quadletValidator";
import { runProcess } from "../../cli/validators/runProcess";
import { requireTool } from "../../cli/validators/testSupport";
import { QUADLET_FEATURE_PROBES_54, probeFileName, probeFileText } from "./quadletProbe54";

// Every probe case in one directory, one generator run (+ systemd verify of what it generated).
let probeDir: string;
let validation: QuadletValidation | undefined;
beforeAll(() => {
  probeDir = writeUnitDir(
    Object.fromEntries(QUADLET_FEATURE_PROBES_54.map((probe) => [probeFileName(probe), probeFileText(probe)])),
    "quadlet-probe-",
  );
});
afterAll(() => rmSync(probeDir, { recursive: true, force: true }));

async function probeValidation(): Promise<QuadletValidation> {
  validation ??= await quadletValidator({ quadletDir: probeDir });
  return validation;
}

describe("Podman 5.4's generator on the features the harness needs", () => {
  test("the installed generator is Podman 5.4", async (context) => {
    const quadlet = requireTool(context, "quadlet");
    const outcome = await runProcess(quadlet, ["-version"], { timeoutMs: 10_000 });
    expect(outcome.stdout.trim()).toMatch(/^5\.4\.\d+$/);
  });

  test.for(QUADLET_FEATURE_PROBES_54.map((probe) => ({ title: `${probeFileName(probe)}: ${probe.feature}`, probe })))(
    "$title",
    async ({ probe }, context) => {
      requireTool(context, "quadlet");
      requireTool(context, "systemd-analyze");
      const result = (await probeValidation()).results.find((candidate) => path.basename(candidate.target) === probeFileName(probe));
      expect(result, "the validator reported on the file").toBeDefined();
      if (probe.accepted) {
        expect(result?.message).toMatch(/verify clean$/);
        expect(result?.status).toBe("passed");
        const service = (await probeValidation()).generatedUnits.find(
          (unit) => unit.unitName === `${probe.name}${probe.group === "Build" ? "-build" : ""}.service`,
        );
        const execStart = service?.text.split("\n").find((line) => line.startsWith("ExecStart=")) ?? "";
        for (const fragment of probe.expect) expect(execStart).toContain(fragment);
        for (const fragment of probe.unitContains ?? []) expect(service?.text).toContain(fragment);
      } else {
        expect(result?.status).toBe("failed");
        for (const fragment of probe.expect) expect(result?.message).toContain(fragment);
      }
    },
  );
});
