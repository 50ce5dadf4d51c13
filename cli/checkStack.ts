/**
 * `check`: after `plan`, judge the stack. Policy results first (the seam the policy pack plugs into),
 * then every rendered artifact through the real validator for its kind. Non-zero on any failure; a
 * validator missing on a developer machine is reported SKIPPED, loudly, and is a failure in CI.
 */
import { readFileSync } from "node:fs";
import { parse as parseToml } from "smol-toml";
import { dirname, join, relative } from "node:path";
import { parse as parseYaml } from "yaml";
import type { PlatformVersions } from "../components/kubernetes/platformVersions";
import type { Artifact } from "./engine/artifacts";
import type { StackPlan } from "./planStack";
import { backupNoticesCheck } from "./backupNotices";
import { egressNotice } from "./egressNotice";
import { policyPackCheck } from "./policyCheck";
import {
  caddyValidator,
  countResults,
  dockerfileValidator,
  formatResultsTable,
  kubernetesValidator,
  postconfValidator,
  quadletValidator,
  shellcheckValidator,
  type ValidationResult,
} from "./validators";

export interface CheckReport {
  ok: boolean;
  results: ValidationResult[];
  text: string;
}

/** A check of the whole recording (policies). Results are printed before the artifact validators'. */
export type RecordingCheck = (plan: StackPlan) => Promise<ValidationResult[]>;

/** The policy seam: the CrossGuard pack registers itself here. */
export const RECORDING_CHECKS: RecordingCheck[] = [policyPackCheck, backupNoticesCheck];

/**
 * Executables the Fedora host provides that the rendered units run: Podman (every generated service),
 * cloudflared and Node.js (the host services), bash (the backup program). A test keeps this in step
 * with the units' ExecStart=.
 */
export const FEDORA_HOST_EXECUTABLES = ["/usr/bin/podman", "/usr/bin/cloudflared", "/usr/bin/node", "/usr/bin/bash"];

export async function checkStack(plan: StackPlan): Promise<CheckReport> {
  const results: ValidationResult[] = [];
  for (const check of RECORDING_CHECKS) results.push(...(await check(plan)));
  const artifactsDir = join(plan.outDir, "artifacts");
  // Name artifacts by their path in the plan, not by where this machine keeps them.
  results.push(
    ...(await validateArtifacts(plan)).map((r) => ({
      ...r,
      target: r.target.startsWith(artifactsDir) ? relative(artifactsDir, r.target) : r.target,
    })),
  );

  const counts = countResults(results);
  const ok = counts.failed === 0;
  const notice = egressNotice(plan.recording.outputs);
  const text = [
    `Checks for ${plan.plan.project}/${plan.plan.stack}:`,
    formatResultsTable(results),
    ...(notice ? [notice] : []),
    ok ? `check: passed${counts.warned > 0 ? ` (${counts.warned} advisory)` : ""}` : `check: FAILED (${counts.failed} failed)`,
  ].join("\n");
  return { ok, results, text };
}

async function validateArtifacts(plan: StackPlan): Promise<ValidationResult[]> {
  const artifactsDir = join(plan.outDir, "artifacts");
  const pathOf = (artifact: Artifact) => join(artifactsDir, artifact.path);
  const byKind = (kind: Artifact["kind"]) => plan.artifacts.filter((a) => a.kind === kind);
  // The validators that run a program all start at once, and the in-process ones run while those
  // work: run one after another, a stack's check mostly waited (npm run bench). Results keep this order.
  const results: Promise<ValidationResult | ValidationResult[]>[] = [];
  if (byKind("quadlet").length > 0 || byKind("systemd-unit").length > 0) {
    results.push(
      quadletValidator({
        quadletDir: join(artifactsDir, "host/.config/containers/systemd"),
        plainUnitDir: join(artifactsDir, "host/.config/systemd/user"),
        targetExecutables: FEDORA_HOST_EXECUTABLES,
      }).then((validation) => validation.results),
    );
  }
  for (const artifact of byKind("caddyfile")) results.push(caddyValidator({ file: pathOf(artifact) }));
  for (const artifact of byKind("shell")) results.push(shellcheckValidator({ file: pathOf(artifact) }));
  // main.cf and master.cf are judged together, per directory.
  for (const directory of new Set(byKind("postfix").map((a) => dirname(pathOf(a))))) results.push(postconfValidator({ directory }));
  const platform = platformOf(plan.recording.outputs);
  for (const artifact of byKind("kubernetes"))
    results.push(Promise.resolve(kubernetesValidator({ file: pathOf(artifact), ...(platform ? { platform } : {}) })));
  for (const artifact of byKind("dockerfile")) results.push(Promise.resolve(dockerfileValidator({ file: pathOf(artifact) })));
  for (const artifact of [...byKind("yaml"), ...byKind("json"), ...byKind("toml")])
    results.push(Promise.resolve(parseCheck(artifact, pathOf(artifact))));
  return (await Promise.all(results)).flat();
}

/** The releases a Kubernetes stack states it renders for (its `platform` output), if it has one. */
function platformOf(outputs: Record<string, unknown>): PlatformVersions | undefined {
  const platform = outputs.platform as Record<string, unknown> | undefined;
  if (typeof platform !== "object" || platform === null || typeof platform.kubernetes !== "string") return undefined;
  const text = (key: string) => (typeof platform[key] === "string" ? { [key]: platform[key] } : {});
  return { kubernetes: platform.kubernetes, ...text("externalSecrets"), ...text("kubeBlocks"), ...text("sealos") };
}

/** YAML, JSON and TOML artifacts must at least parse (their schemas are checked by their own tests). */
function parseCheck(artifact: Artifact, path: string): ValidationResult {
  const validator = `${artifact.kind}-parse`;
  try {
    const text = readFileSync(path, "utf8");
    if (artifact.kind === "json") JSON.parse(text);
    else if (artifact.kind === "toml") parseToml(text);
    else parseYaml(text);
    return { validator, target: artifact.path, status: "passed", message: "parses" };
  } catch (error) {
    return { validator, target: artifact.path, status: "failed", message: (error as Error).message };
  }
}
