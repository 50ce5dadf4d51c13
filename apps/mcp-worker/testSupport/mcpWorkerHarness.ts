/**
 * The bundled MCP Worker in workerd (Miniflare) on a ledger database migrated by wrangler, producing
 * to a real `email_outbox` queue whose messages a second worker captures (the drain itself pulls over
 * HTTP, which Miniflare does not serve), and the official SDK's MCP client to call it with.
 */
import type { D1Database } from "@cloudflare/workers-types/experimental";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Miniflare } from "miniflare";
import { LocalD1 } from "../../../test/support/localD1";
import { buildMcpWorkerBundle, MCP_PATH, MCP_WORKER_BINDINGS, MCP_WORKER_COMPATIBILITY_DATE, MCP_WORKER_MAIN_MODULE } from "../bundle";
import type { SenderRulesConfig } from "../src/senderRules";
import { ACCESS_JWT_HEADER } from "../src/accessJwt";
import { TEST_PRODUCER_KEYS } from "../../email-drain/testSupport/producerKeys";

// Records every email_outbox message with the content type it was sent with (read off the body's type).
const CAPTURE_SCRIPT = `
export default {
  async queue(batch, env) {
    for (const message of batch.messages) {
      await env.CAPTURED.prepare("INSERT INTO outbox (body) VALUES (?1)").bind(JSON.stringify(message.body)).run();
      message.ack();
    }
  },
};`;

export interface McpWorkerHarness {
  url: URL;
  mf: Miniflare;
  ledger: D1Database;
  /** Every message email_outbox delivered so far, after a sentinel sent now has arrived (the queue keeps order). */
  outboxMessages(): Promise<unknown[]>;
  /** An SDK client connected with the given Access token (none: no header at all). */
  connect(token: string | undefined): Promise<Client>;
  dispose(): Promise<void>;
}

export async function startMcpWorker(options: {
  issuer: string;
  audience: string;
  senderRules: SenderRulesConfig;
  /** EMAIL_PRODUCER_KEY; default: the test key the drain's tests know as producer `mcp`. */
  producerKey?: string;
}): Promise<McpWorkerHarness> {
  const localD1 = new LocalD1();
  const migration = await localD1.applyMigrations("ledger");
  if (migration.exitCode !== 0) throw new Error(`ledger migrations failed: ${migration.stderr || migration.stdout}`);
  const bindings = MCP_WORKER_BINDINGS;
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    d1Persist: localD1.d1Persist,
    workers: [
      {
        name: "mcp-worker",
        modules: [{ type: "ESModule", path: MCP_WORKER_MAIN_MODULE, contents: buildMcpWorkerBundle() }],
        compatibilityDate: MCP_WORKER_COMPATIBILITY_DATE,
        d1Databases: { [bindings.ledgerDatabase.name]: LocalD1.databaseId("ledger") },
        queueProducers: { [bindings.outboxQueue.name]: { queueName: "email_outbox" } },
        bindings: {
          [bindings.accessIssuer.name]: options.issuer,
          [bindings.accessAudience.name]: options.audience,
          [bindings.senderRules.name]: JSON.stringify(options.senderRules),
          [bindings.producerKey.name]: options.producerKey ?? TEST_PRODUCER_KEYS.mcp,
        },
      },
      {
        name: "capture",
        modules: true,
        script: CAPTURE_SCRIPT,
        compatibilityDate: MCP_WORKER_COMPATIBILITY_DATE,
        d1Databases: { CAPTURED: "captured-outbox" },
        queueProducers: { OUTBOX: { queueName: "email_outbox" } },
        queueConsumers: { email_outbox: { maxBatchSize: 100, maxBatchTimeout: 0 } },
      },
    ],
  });
  const base = await mf.ready;
  const ledger = await mf.getD1Database(bindings.ledgerDatabase.name, "mcp-worker");
  const captured = await mf.getD1Database("CAPTURED", "capture");
  await captured.prepare("CREATE TABLE outbox (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").run();
  const url = new URL(MCP_PATH, base);
  const clients: Client[] = [];
  let sentinels = 0;

  return {
    url,
    mf,
    ledger,
    async outboxMessages() {
      const sentinel = { sentinel: ++sentinels };
      await (await mf.getQueueProducer("OUTBOX", "capture")).send(sentinel, { contentType: "json" });
      const bodies = await waitFor(
        async () =>
          (await captured.prepare("SELECT body FROM outbox ORDER BY id").all<{ body: string }>()).results.map(
            (row) => JSON.parse(row.body) as unknown,
          ),
        (messages) => messages.some((message) => JSON.stringify(message) === JSON.stringify(sentinel)),
      );
      return bodies.filter((body) => typeof body !== "object" || body === null || !("sentinel" in body));
    },
    async connect(token) {
      const client = new Client({ name: "harness-test", version: "1.0.0" });
      const headers: Record<string, string> = token === undefined ? {} : { [ACCESS_JWT_HEADER]: token };
      await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
      clients.push(client);
      return client;
    },
    async dispose() {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      await mf.dispose();
      localD1.remove();
    },
  };
}

/** Polls until `read` gives a value `done` accepts: queue delivery is asynchronous. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
