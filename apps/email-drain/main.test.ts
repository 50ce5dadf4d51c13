import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startDrain, writeDrainBundle } from "./testSupport/drainProcess";
import { FakeQueuesApi } from "./testSupport/fakeQueuesApi";
import { producerEnvironment, signAsSync } from "./testSupport/producerKeys";
import { FakeSendmail } from "./testSupport/fakeSendmail";

const ACCOUNT = "a".repeat(32);
const OUTBOX = "1".repeat(32);
const DLQ = "2".repeat(32);
const TOKEN = "main-test-token-0123456789abcdef";

let directory: string;
let bundle: string;
let api: FakeQueuesApi;
let sendmail: FakeSendmail;
let run = 0;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "drain-main-"));
  bundle = await writeDrainBundle(directory);
  api = await FakeQueuesApi.start({
    accountId: ACCOUNT,
    apiToken: TOKEN,
    queues: [{ id: OUTBOX, deadLetterQueueId: DLQ }, { id: DLQ }],
  });
});

afterAll(async () => {
  await api.stop();
  await rm(directory, { recursive: true, force: true });
});

beforeEach(async () => {
  run += 1;
  sendmail = await FakeSendmail.create(join(directory, `sendmail-${run}`));
});

function environment(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    CF_ACCOUNT_ID: ACCOUNT,
    CF_QUEUE_ID: OUTBOX,
    CF_DLQ_QUEUE_ID: DLQ,
    CF_API_TOKEN: TOKEN,
    CF_API_BASE_URL: api.baseUrl,
    ...producerEnvironment({ mcp: { senders: "*@sodimo.eu" } }),
    SENDMAIL_PATH: sendmail.path,
    JOURNAL_PATH: join(directory, `journal-${run}`),
    API_TIMEOUT_MS: "1000",
    SENDMAIL_TIMEOUT_MS: "1000",
    VISIBILITY_TIMEOUT_MS: "10000",
    IDLE_POLL_MIN_MS: "20",
    IDLE_POLL_MAX_MS: "50",
    ...overrides,
  };
}

async function once(env: NodeJS.ProcessEnv): Promise<{ code: number | string; lines: Array<Record<string, unknown>> }> {
  const drain = startDrain(bundle, env, ["--once"]);
  const code = await drain.exited;
  const lines = drain
    .stdout()
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, lines };
}

describe("the bundled drain process", () => {
  it("--once delivers what is queued and exits 0, logging JSON lines only", async () => {
    api.enqueue(
      OUTBOX,
      signAsSync({ v: 2, producer: "mcp", id: "main-1", from: "a@sodimo.eu", to: ["b@example.com"], subject: "s", text: "t" }),
    );
    const { code, lines } = await once(environment());
    expect(code).toBe(0);
    expect(lines.map((line) => line.msg)).toEqual(["journal opened", "started", "delivered", "cycle finished"]);
    expect(lines.find((line) => line.msg === "cycle finished")).toMatchObject({ pulled: 1, delivered: 1 });
    expect((await sendmail.deliveries()).map((delivery) => delivery.id)).toEqual(["mcp.main-1"]);
  });

  it.each([
    ["CF_QUEUE_ID", { CF_QUEUE_ID: undefined }],
    ["PRODUCER_MCP_SENDERS", { PRODUCER_MCP_SENDERS: "@sodimo.eu" }],
    ["ALLOWED_SENDERS", { ALLOWED_SENDERS: "@sodimo.eu" }],
    ["SENDMAIL_PATH", { SENDMAIL_PATH: "/nonexistent/sendmail" }],
  ])("exits 78 with one line naming %s when it is wrong", async (variable, overrides) => {
    const { code, lines } = await once(environment(overrides));
    expect(code).toBe(78);
    expect(lines).toEqual([
      expect.objectContaining({ level: "error", variable, msg: expect.stringContaining(`configuration error: ${variable}: `) }),
    ]);
  });

  it("exits 78 when the API refuses the token", async () => {
    const { code, lines } = await once(environment({ CF_API_TOKEN: "wrong-token-0123456789abcdefgh" }));
    expect(code).toBe(78);
    expect(lines.at(-1)).toMatchObject({ level: "error", kind: "auth" });
  });

  it("--once exits 75 when the API cannot be reached", async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const { code } = await once(environment({ CF_API_BASE_URL: `http://127.0.0.1:${closedPort}` }));
    expect(code).toBe(75);
  });

  it("exits 73 when the journal cannot be created", async () => {
    const file = join(directory, `not-a-directory-${run}`);
    await writeFile(file, "");
    const { code, lines } = await once(environment({ JOURNAL_PATH: join(file, "journal") }));
    expect(code).toBe(73);
    expect(lines.at(-1)?.msg).toMatch(/^cannot open the journal at .*: E[A-Z]+$/);
  });

  it("stops on SIGTERM with exit code 0", async () => {
    const drain = startDrain(bundle, environment());
    await new Promise<void>((resolve) => {
      drain.child.stdout?.on("data", () => {
        if (drain.stdout().includes('"msg":"started"')) resolve();
      });
    });
    drain.child.kill("SIGTERM");
    expect(await drain.exited).toBe(0);
    expect(drain.stdout()).toContain('"msg":"stopped"');
  });

  it("rejects unknown arguments with exit code 64", async () => {
    expect(await startDrain(bundle, environment(), ["--twice"]).exited).toBe(64);
  });
});
