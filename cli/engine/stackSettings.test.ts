import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { offlineSecretStandIn, readProjectFile, readStackSettings } from "./stackSettings";

let root: string | undefined;
afterEach(() => root && rmSync(root, { recursive: true, force: true }));

function project(stackYaml: string): string {
  root = mkdtempSync(join(tmpdir(), "stack-settings-"));
  writeFileSync(
    join(root, "Pulumi.yaml"),
    "name: demo\nruntime: nodejs\nstackConfigDir: stacks\nconfig:\n  target:\n    type: string\n  port:\n    type: integer\n    default: 22\n  mode:\n    type: string\n    default: fast\n",
  );
  mkdirSync(join(root, "stacks"));
  writeFileSync(join(root, "stacks/Pulumi.dev.yaml"), stackYaml);
  return root;
}

describe("stack settings, as the Pulumi CLI hands them to the program", () => {
  it("keeps scalars' source text, applies project defaults and JSON-encodes structured values", () => {
    const dir = project(
      "config:\n  demo:target: fedora\n  demo:version: 5.10\n  demo:port: 2222\n  demo:services:\n    web: {image: x, replicas: 2}\n  aws:region: eu-west-3\n",
    );
    const settings = readStackSettings(dir, readProjectFile(dir), "dev");
    expect(settings.config).toEqual({
      "demo:target": "fedora",
      "demo:version": "5.10",
      "demo:port": "2222",
      "demo:services": '{"web":{"image":"x","replicas":2}}',
      "aws:region": "eu-west-3",
      "demo:mode": "fast",
    });
    expect(settings.secretKeys).toEqual([]);
  });

  it("turns encrypted values into marked stand-ins, top-level or nested", () => {
    const dir = project(
      "config:\n  demo:token:\n    secure: v1:abcdef\n  demo:extra:\n    brave:\n      secure: v1:123\n    plain: visible\n",
    );
    const settings = readStackSettings(dir, readProjectFile(dir), "dev");
    expect(settings.config["demo:token"]).toBe(offlineSecretStandIn("demo:token"));
    expect(JSON.parse(settings.config["demo:extra"]!)).toEqual({ brave: offlineSecretStandIn("demo:extra.brave"), plain: "visible" });
    expect(settings.secretKeys).toEqual(["demo:extra", "demo:token"]);
  });

  it("names the missing stack file", () => {
    const dir = project("config: {}\n");
    expect(() => readStackSettings(dir, readProjectFile(dir), "prod")).toThrow("no stack settings file stacks/Pulumi.prod.yaml");
  });
});
