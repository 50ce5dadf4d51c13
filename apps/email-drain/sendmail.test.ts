import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { childEnvironment, runSendmail, sendmailArguments, type SendmailOutcome } from "./sendmail";
import { FakeSendmail, type FakeSendmailOptions } from "./testSupport/fakeSendmail";

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "sendmail-"));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const MESSAGE = "From: a@sodimo.eu\r\nTo: b@example.com\r\nMessage-ID: <id-1@sodimo.eu>\r\n\r\n.\r\nbody\r\n";

async function send(
  options: FakeSendmailOptions,
  env: NodeJS.ProcessEnv = { PATH: process.env.PATH },
): Promise<{
  outcome: SendmailOutcome;
  sendmail: FakeSendmail;
}> {
  const sendmail = await FakeSendmail.create(directory, options);
  const outcome = await runSendmail(
    { path: sendmail.path, timeoutMs: 300, env },
    { envelopeSender: "a@sodimo.eu", recipients: ["b@example.com", "-oQ@example.com"], message: MESSAGE },
  );
  return { outcome, sendmail };
}

describe("sendmailArguments", () => {
  it("passes recipients as operands after --, never -t", () => {
    expect(sendmailArguments({ envelopeSender: "a@sodimo.eu", recipients: ["b@example.com", "c@example.com"] })).toEqual([
      "-i",
      "-f",
      "a@sodimo.eu",
      "--",
      "b@example.com",
      "c@example.com",
    ]);
  });
});

describe("childEnvironment", () => {
  it("passes only the allow-listed variables, never the API token", () => {
    expect(childEnvironment({ HOME: "/home/u", CF_API_TOKEN: "secret", LANG: "C.UTF-8", ALLOWED_SENDERS: "x" })).toEqual({
      PATH: "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin",
      HOME: "/home/u",
      LANG: "C.UTF-8",
    });
  });
});

describe("runSendmail with the fake sendmail", () => {
  it("delivers the message with LF line endings and the exact argv", async () => {
    const { outcome, sendmail } = await send({ recordEnvironment: true }, { PATH: process.env.PATH, CF_API_TOKEN: "tok-SECRET" });
    expect(outcome).toEqual({ kind: "sent" });
    const [delivery, ...others] = await sendmail.deliveries();
    expect(others).toEqual([]);
    expect(delivery?.id).toBe("id-1");
    expect(delivery?.message).toBe(MESSAGE.replace(/\r\n/g, "\n"));
    expect(delivery?.args).toEqual(["-i", "-f", "a@sodimo.eu", "--", "b@example.com", "-oQ@example.com"]);
    expect(delivery?.environment).not.toContain("tok-SECRET");
  });

  it("reports EX_TEMPFAIL with its stderr", async () => {
    const { outcome, sendmail } = await send({ mode: "tempfail" });
    expect(outcome).toEqual({ kind: "exit", exitCode: 75, stderr: "fake-sendmail: temporary failure for id-1\n" });
    expect(await sendmail.deliveries()).toEqual([]);
  });

  it("reports a crash as a signal", async () => {
    expect((await send({ mode: "crash" })).outcome).toMatchObject({ kind: "signal", signal: "SIGKILL" });
  });

  it("kills a hanging sendmail at the timeout", async () => {
    const { outcome, sendmail } = await send({ mode: "hang", hangSeconds: 30 });
    expect(outcome.kind).toBe("timeout");
    expect(await sendmail.deliveries()).toEqual([]);
  });

  it("reports a missing sendmail binary", async () => {
    const outcome = await runSendmail(
      { path: join(directory, "absent"), timeoutMs: 1_000, env: {} },
      { envelopeSender: "a@sodimo.eu", recipients: ["b@example.com"], message: MESSAGE },
    );
    expect(outcome).toEqual({ kind: "spawn-error", code: "ENOENT" });
  });

  it("fails at random but reproducibly for a seed", async () => {
    const outcomes = async (seed: number): Promise<string[]> => {
      const runDirectory = await mkdtemp(join(directory, `seed-${seed}-`));
      const sendmail = await FakeSendmail.create(runDirectory, { mode: "random", seed, perMille: { tempfail: 400, crash: 200 } });
      const kinds: string[] = [];
      for (let index = 0; index < 12; index += 1) {
        const outcome = await runSendmail(
          { path: sendmail.path, timeoutMs: 1_000, env: { PATH: process.env.PATH } },
          { envelopeSender: "a@sodimo.eu", recipients: ["b@example.com"], message: MESSAGE.replace("id-1", `id-${index % 3}`) },
        );
        kinds.push(outcome.kind);
      }
      return kinds;
    };
    const first = await outcomes(7);
    expect(await outcomes(7)).toEqual(first);
    expect(new Set(first)).toEqual(new Set(["sent", "exit", "signal"]));
  });
});
