/**
 * Mistakes an operator makes that only a renderer, the Podman version gate or the stack file's reader
 * can see, driven through the whole program: each is the one problem list naming the key the operator
 * set, with the value escaped — never a stack trace.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../infra/config";
import { recordStack } from "../cli/engine/recordStack";
import { readProjectFile, readStackSettings } from "../cli/engine/stackSettings";
import { parseStackConfig } from "../infra/config/parse";
import { RenderRefusal, renderRefusalProblem } from "../infra/config/RenderRefusal";

const root = join(__dirname, "..");

/** The shipped fly stack's configuration, parsed as the program parses it. */
function parseFlyConfig() {
  const settings = readStackSettings(root, readProjectFile(root), "fly");
  return parseStackConfig({ stack: "fly", values: settings.config, secretKeys: new Set(settings.secretKeys), implementedTargets: ["fly"] });
}

async function problemsOf(attempt: Promise<unknown>): Promise<string> {
  const error: unknown = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(ConfigError.isConfigError(error), `expected a ConfigError, got ${String(error)}`).toBe(true);
  const message = (error as ConfigError).message;
  expect(message).not.toMatch(/\n\s+at /);
  // Nothing the operator typed reaches the terminal raw.
  // eslint-disable-next-line no-control-regex -- looking for raw control characters is the point
  expect(message).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
  return message;
}

describe("renderer refusals, reported as the operator's setting", () => {
  it("a control character in a service's environment names services.<name>.env.<VAR>, escaped", async () => {
    const message = await problemsOf(
      recordStack({
        root,
        stack: "fedora",
        configOverrides: { "paperclip-harness:services": JSON.stringify({ twenty: { env: { FOO: "a\nb\u001b[31m\u202e" } } }) },
      }),
    );
    expect(message).toContain("paperclip-harness:services.twenty.env.FOO = ");
    expect(message).toContain("\\u001b[31m\\u{202e}");
    expect(message).toContain("twenty.container can carry in Environment=");
  });

  it("an egress host that is a URL names egressAllowHosts.<i>, and a host on both lists names egressAllowHosts", async () => {
    const url = await problemsOf(
      recordStack({
        root,
        stack: "fedora",
        configOverrides: { "paperclip-harness:egressAllowHosts": JSON.stringify(["https://github.com/x"]) },
      }),
    );
    expect(url).toContain('paperclip-harness:egressAllowHosts.0 = "https://github.com/x": expected a lower-case host name');
    const both = await problemsOf(
      recordStack({
        root,
        stack: "fedora",
        configOverrides: {
          "paperclip-harness:egressAllowHosts": JSON.stringify([".pastebin.com"]),
          "paperclip-harness:egressDenyHosts": JSON.stringify([".pastebin.com"]),
        },
      }),
    );
    expect(both).toContain('paperclip-harness:egressAllowHosts = ".pastebin.com": a host not also in paperclip-harness:egressDenyHosts');
  });

  it("a Podman older than a rendered key needs names podmanVersion and the version needed", async () => {
    const message = await problemsOf(recordStack({ root, stack: "fedora", configOverrides: { "paperclip-harness:podmanVersion": "5.0" } }));
    expect(message).toMatch(/paperclip-harness:podmanVersion = "5\.0": Podman 5\.\d or later: \S+ uses \w+=/);
  });
});

describe("fly and Kubernetes renderer refusals, reported as the operator's setting", () => {
  it("an agent package Paperclip's own install already pins names flyAgentPackages[i] (the Dockerfile installs one version each)", async () => {
    const message = await problemsOf(
      recordStack({
        root,
        stack: "fly",
        configOverrides: { "paperclip-harness:flyAgentPackages": JSON.stringify(["@openai/codex@0.80.0", "paperclipai@1.0.0"]) },
      }),
    );
    expect(message).toBe(
      [
        "stacks/Pulumi.fly.yaml: 1 configuration problem:",
        '  - paperclip-harness:flyAgentPackages[1] = "paperclipai@1.0.0": one version of each npm package: paperclipai is already installed as paperclipai@2026.916.1 (in Dockerfile)',
      ].join("\n"),
    );
  });

  it("a refusal no setting explains names the renderer a contributor edited, the value escaped", () => {
    const refusal = new RenderRefusal("the environment of paperclip", "components/kubernetes/PaperclipWorkload.ts", "each variable once", {
      value: "BAD\u001b[31m",
    });
    const problem = renderRefusalProblem(parseFlyConfig(), refusal);
    expect(new ConfigError("stacks/Pulumi.sealos.yaml", [problem]).message).toBe(
      [
        "stacks/Pulumi.sealos.yaml: 1 configuration problem:",
        '  - the environment of paperclip, rendered by components/kubernetes/PaperclipWorkload.ts = "BAD\\u001b[31m": each variable once',
      ].join("\n"),
    );
  });

  it("App Launchpad's whole-Gi volume names paperclipVolumeSize, before any renderer runs", async () => {
    const message = await problemsOf(
      recordStack({ root, stack: "sealos", configOverrides: { "paperclip-harness:paperclipVolumeSize": "1500Mi" } }),
    );
    expect(message).toContain('paperclip-harness:paperclipVolumeSize = "1500Mi": expected whole Gi');
  });
});

describe("the operator's gatewayKey is a virtual key, never the gateway's master key", () => {
  const cases = [
    { stack: "fly", value: "sk-1234", says: "is LiteLLM's default master key (sk-1234)" },
    { stack: "sealos", value: "sk-master-0123456789abcdef", says: "looks like the gateway's master (administrator) key" },
    { stack: "homelab", value: `sk-ant-api03-${"x".repeat(40)}`, says: "is in the Anthropic key format, a provider's key" },
  ];
  for (const { stack, value, says } of cases) {
    it(`${stack}: ${says} names gatewayKey and never shows the value`, async () => {
      // Set encrypted, as the operator would (the homelab stack file has no gatewayKey of its own).
      const settings = readStackSettings(root, readProjectFile(root), stack);
      const config = {
        values: { ...settings.config, "paperclip-harness:gatewayKey": value },
        secretKeys: [...settings.secretKeys, "paperclip-harness:gatewayKey"],
      };
      const message = await problemsOf(recordStack({ root, stack, config }));
      expect(message).toContain(`paperclip-harness:gatewayKey = (secret): ${says}`);
      expect(message).toContain("POST /key/generate");
      if (value !== "sk-1234") expect(message).not.toContain(value);
    });
  }
});

describe("stack files of the wrong shape", () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  function projectWith(stackFile: string): string {
    dir = mkdtempSync(join(tmpdir(), "stack-shape-"));
    copyFileSync(join(root, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    mkdirSync(join(dir, "stacks"));
    writeFileSync(join(dir, "stacks", "Pulumi.fly.yaml"), stackFile);
    return dir;
  }

  it.each([
    ["config: is a list", "config: [1, 2]\n", "config = [1,2]: a mapping of keys to values"],
    ["the document is a list", "- config\n", "(document): a mapping with a config: key"],
    ["the YAML does not parse", "config:\n  a: [\n", "(YAML): valid YAML"],
    ["a key is not a string", "config:\n  ? [a]\n  : 1\n", 'config = ["a"]: every key a string'],
  ])("%s", async (_, text, expected) => {
    const message = await problemsOf(recordStack({ root: projectWith(text), stack: "fly" }));
    expect(message).toContain("stacks/Pulumi.fly.yaml: 1 configuration problem:");
    expect(message).toContain(expected);
  });
});
