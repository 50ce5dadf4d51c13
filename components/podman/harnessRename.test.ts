/**
 * Renames never delete (FAKE systemctl/podman — systemd and the Podman runtime cannot run here; the
 * scripts themselves run for real, see testSupport/scriptHost.ts). The Harness is recorded through the
 * project's mock runtime (test/support/recordComponents.ts); then the create and delete commands it
 * rendered run against a temporary HOME in the order Pulumi runs a replacement: the new resource is
 * created, then the old one deleted.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import type { RecordedResource } from "../../cli/engine/RecordingMonitor";
import { recordComponents, resourceNamed, unsecret } from "../../test/support/recordComponents";
import { Harness, type HarnessArgs, type HarnessFile } from "./Harness";
import { ScriptHost } from "./testSupport/scriptHost";
import { CONFIG, TARGET, UNIT } from "./testSupport/fixtureUnits";

function args(files: readonly HarnessFile[]): HarnessArgs {
  return {
    connection: { host: "fedora.example", user: "harness" },
    files: [...files, TARGET],
    secrets: [{ name: "paperclip-auth-secret", value: "s3cret-value" }],
    restarts: [{ unit: "paperclip.service", files: files.map((f) => f.key), secrets: ["paperclip-auth-secret"], after: [] }],
    targetUnit: "sodimo.target",
    requirements: { podmanVersion: "5.4" },
  };
}

async function record(name: string, files: readonly HarnessFile[], opts?: pulumi.ComponentResourceOptions): Promise<RecordedResource[]> {
  return (await recordComponents(() => void new Harness(name, args(files), opts))).resources;
}

/** The file and secret deliveries (the resources with a delete hook). */
const deliveries = (resources: readonly RecordedResource[]) =>
  resources.filter((r) => r.type === "command:remote:Command" && typeof r.inputs.delete === "string");

function create(host: ScriptHost, resource: RecordedResource): void {
  const result = host.run(resource.inputs.create as string, String(unsecret(resource.inputs.stdin)));
  expect(result, resource.name).toMatchObject({ status: 0 });
}

function destroy(host: ScriptHost, resource: RecordedResource): string {
  const result = host.run(resource.inputs.delete as string);
  expect(result, resource.name).toMatchObject({ status: 0 });
  return result.stderr;
}

let host: ScriptHost;
afterEach(() => host?.remove());

describe("a renamed Harness resource (FAKE systemctl/podman; real scripts)", () => {
  it("renamed file key: carries an alias, and the old delete hook keeps the file the new resource wrote", async () => {
    const before = await record("harness", [UNIT, CONFIG]);
    const renamed: HarnessFile = { ...CONFIG, key: "paperclip/settings.json", formerKeys: [CONFIG.key] };
    const after = await record("harness", [UNIT, renamed]);
    const oldFile = resourceNamed(before, "harness-file-paperclip-config.json");
    const newFile = resourceNamed(after, "harness-file-paperclip-settings.json");
    expect(newFile.aliases).toMatchObject([{ name: "harness-file-paperclip-config.json" }]);

    host = new ScriptHost();
    create(host, oldFile);
    // Even if Pulumi replaced instead of aliasing: create the new, then delete the old.
    create(host, newFile);
    expect(destroy(host, oldFile)).toContain(
      "kept .config/harness/paperclip/config.json: it now belongs to harness-file-paperclip-settings.json",
    );
    expect(host.file(CONFIG.path)).toBe(CONFIG.content);
    // The new resource still owns it: removing the file from the declaration removes it.
    destroy(host, newFile);
    expect(host.file(CONFIG.path)).toBeUndefined();
  });

  it("renamed component: aliased to its old name, and none of the old delete hooks removes a file, a secret or stops a unit", async () => {
    const before = await record("harness", [UNIT, CONFIG]);
    const after = await record("fedora-harness", [UNIT, CONFIG], { aliases: [{ name: "harness" }] });
    expect(resourceNamed(after, "fedora-harness", "harness:podman:Harness").aliases).toMatchObject([{ name: "harness" }]);
    const oldDeliveries = deliveries(before);
    const newDeliveries = deliveries(after);
    expect(oldDeliveries.map((r) => r.name).sort()).toEqual([
      "harness-file-paperclip-config.json",
      "harness-file-paperclip.container",
      "harness-file-sodimo.target",
      "harness-secret-paperclip-auth-secret",
    ]);
    expect(newDeliveries).toHaveLength(oldDeliveries.length);

    host = new ScriptHost();
    oldDeliveries.forEach((r) => create(host, r));
    newDeliveries.forEach((r) => create(host, r));
    const callsBeforeDelete = host.calls().length;
    const kept = oldDeliveries.map((r) => destroy(host, r));
    expect(kept.every((message) => message.includes("it now belongs to fedora-harness-"))).toBe(true);
    for (const file of [UNIT, CONFIG, TARGET]) expect(host.file(file.path), file.path).toBe(file.content);
    expect(host.secret("paperclip-auth-secret")).toBe("s3cret-value");
    expect(host.calls().slice(callsBeforeDelete)).toEqual([]);
  });

  it("removed for good: the delete hook stops the unit and removes its file and the secret", async () => {
    const before = await record("harness", [UNIT, CONFIG]);
    host = new ScriptHost();
    deliveries(before).forEach((r) => create(host, r));
    destroy(host, resourceNamed(before, "harness-file-paperclip.container"));
    destroy(host, resourceNamed(before, "harness-secret-paperclip-auth-secret"));
    expect(host.file(UNIT.path)).toBeUndefined();
    expect(host.secret("paperclip-auth-secret")).toBeUndefined();
    expect(host.calls()).toContain("systemctl --user stop paperclip.service");
  });

  it("refuses two files that write one path (each would delete the other's)", async () => {
    await expect(record("harness", [UNIT, CONFIG, { ...CONFIG, key: "other" }])).rejects.toThrow(
      "two files write .config/harness/paperclip/config.json",
    );
  });
});
