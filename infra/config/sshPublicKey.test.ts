import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { requireTool } from "../../cli/validators/testSupport";
import { sshPublicKeyProblem } from "./sshPublicKey";

const work = mkdtempSync(join(tmpdir(), "ssh-keys-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What the real ssh-keygen says of a public-key line: its fingerprint line, or its error. */
function sshKeygenFingerprint(keygen: string, line: string): { ok: boolean; output: string } {
  const file = join(work, `key-${Math.random().toString(36).slice(2)}.pub`);
  writeFileSync(file, `${line}\n`);
  const run = spawnSync(keygen, ["-l", "-f", file], { encoding: "utf8" });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
}

function generate(keygen: string, type: string, bits?: number): string {
  const file = join(work, `${type}-${bits ?? "default"}-${Math.random().toString(36).slice(2)}`);
  const run = spawnSync(keygen, ["-q", "-t", type, ...(bits ? ["-b", String(bits)] : []), "-N", "", "-C", "me@laptop", "-f", file], {
    encoding: "utf8",
  });
  expect(run.status, run.stderr).toBe(0);
  return readFileSync(`${file}.pub`, "utf8").trim();
}

/** The sample key the homelab stack file shipped before: the right prefix and base64, not a key. */
const FORMER_SAMPLE = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk3SodimoOperatorLaptopKeyExampleOnlyA0 operator@laptop";

describe("OpenSSH public keys, judged the way ssh-keygen and sshd judge them", () => {
  it("accepts every key type ssh-keygen generates", (context) => {
    const keygen = requireTool(context, "ssh-keygen");
    for (const [type, bits] of [["ed25519"], ["rsa", 3072], ["ecdsa", 256], ["ecdsa", 384], ["ecdsa", 521]] as const) {
      const line = generate(keygen, type, bits);
      expect(sshKeygenFingerprint(keygen, line).ok).toBe(true);
      expect(sshPublicKeyProblem(line)).toBeUndefined();
    }
  });

  it("refuses the former sample, which ssh-keygen says is not a public key", (context) => {
    const keygen = requireTool(context, "ssh-keygen");
    const verdict = sshKeygenFingerprint(keygen, FORMER_SAMPLE);
    expect(verdict.ok).toBe(false);
    expect(verdict.output).toContain("is not a public key file");
    expect(sshPublicKeyProblem(FORMER_SAMPLE)).toBe("its data is not a 32-byte Ed25519 key");
  });

  it("refuses a key whose data is another type's, an unknown type, non-base64 data and a bare type", (context) => {
    const keygen = requireTool(context, "ssh-keygen");
    const rsa = generate(keygen, "rsa", 3072).split(" ")[1]!;
    expect(sshPublicKeyProblem(`ssh-ed25519 ${rsa}`)).toBe('its data is a "ssh-rsa" key, not ssh-ed25519');
    expect(sshKeygenFingerprint(keygen, `ssh-ed25519 ${rsa}`).ok).toBe(false);
    expect(sshPublicKeyProblem(`ssh-dss ${rsa}`)).toMatch(/^"ssh-dss" is not a key type sshd accepts/);
    expect(sshPublicKeyProblem("ssh-ed25519 not*base64")).toBe("the key data is not base64");
    expect(sshPublicKeyProblem("ssh-ed25519")).toBe('expected "<type> <base64 key> [comment]"');
  });

  it("passes the sample in stacks/Pulumi.homelab.yaml, which ssh-keygen reads as a key", (context) => {
    const keygen = requireTool(context, "ssh-keygen");
    const stackFile = parseYaml(readFileSync(join(__dirname, "..", "..", "stacks", "Pulumi.homelab.yaml"), "utf8")) as {
      config: Record<string, { authorizedKeys: string[] }>;
    };
    const keys = stackFile.config["paperclip-harness:shellSidecar"]!.authorizedKeys;
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(sshKeygenFingerprint(keygen, key)).toMatchObject({ ok: true });
      expect(sshPublicKeyProblem(key)).toBeUndefined();
    }
  });
});
