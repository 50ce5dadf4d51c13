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

const root = join(__dirname, "..");

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
