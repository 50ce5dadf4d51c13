// FAKE LITELLM: LiteLLM cannot run here (no image, no database), so these tests run the real
// registration program (registerKeys.mjs, on this machine's Node.js) against a fake LiteLLM HTTP
// server. The fake answers /key/info, /key/update, /key/delete and /key/generate the way LiteLLM's
// documented key-management API does (docs.litellm.ai/docs/proxy/virtual_keys: master key as
// bearer; generate's fields key, key_alias, max_budget, budget_duration, rpm_limit, tpm_limit,
// models) and checks each request against those fields; it proves the program's requests, not LiteLLM.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { renderKeyPlan, type GatewayKeyEntry } from "./gatewayKeys";

const MASTER = `sk-${"a".repeat(64)}`;
const AGENTS_KEY = `sk-${"b".repeat(64)}`;
const CHAT_KEY = `sk-${"c".repeat(64)}`;
/** LiteLLM's documented /key/generate and /key/update body fields the program may send. */
const KEY_FIELDS = new Set(["key", "key_alias", "max_budget", "budget_duration", "rpm_limit", "tpm_limit", "models"]);

interface StoredKey {
  alias: string;
  fields: Record<string, unknown>;
}

class FakeLitellm {
  readonly keys = new Map<string, StoredKey>();
  readonly requests: { method: string; path: string; body?: Record<string, unknown> }[] = [];
  /** Answer 503 to this many requests first (LiteLLM still loading). */
  unavailable = 0;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let text = "";
    for await (const chunk of request) text += String(chunk);
    const url = new URL(request.url!, "http://fake");
    const body = text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>);
    this.requests.push({ method: request.method!, path: url.pathname, ...(body ? { body } : {}) });
    const answer = (status: number, value: unknown) => {
      response.writeHead(status, { "Content-Type": "application/json" });
      response.end(JSON.stringify(value));
    };
    if (this.unavailable > 0) {
      this.unavailable--;
      return answer(503, { error: "loading" });
    }
    if (request.headers.authorization !== `Bearer ${MASTER}`) return answer(401, { error: "Authentication Error" });
    if (request.method === "GET" && url.pathname === "/key/info") {
      const stored = this.keys.get(url.searchParams.get("key") ?? "");
      return stored ? answer(200, { key: "hashed", info: stored.fields }) : answer(404, { detail: "key not found" });
    }
    if (request.method === "POST" && body && Object.keys(body).some((f) => f !== "key_aliases" && !KEY_FIELDS.has(f)))
      return answer(422, { detail: "unknown field" });
    if (request.method === "POST" && url.pathname === "/key/generate") {
      const key = body?.key;
      if (typeof key !== "string" || !key.startsWith("sk-")) return answer(400, { detail: "key must start with sk-" });
      if ([...this.keys.values()].some((k) => k.alias === body!.key_alias)) return answer(400, { detail: "alias exists" });
      this.keys.set(key, { alias: String(body!.key_alias), fields: body! });
      return answer(200, { key, key_alias: body!.key_alias });
    }
    if (request.method === "POST" && url.pathname === "/key/update") {
      const stored = this.keys.get(String(body?.key));
      if (!stored) return answer(404, { detail: "key not found" });
      stored.fields = { ...stored.fields, ...body };
      return answer(200, body);
    }
    if (request.method === "POST" && url.pathname === "/key/delete") {
      const aliases = (body?.key_aliases ?? []) as string[];
      const doomed = [...this.keys].filter(([, k]) => aliases.includes(k.alias)).map(([key]) => key);
      if (doomed.length === 0) return answer(404, { detail: "no such key" });
      doomed.forEach((key) => this.keys.delete(key));
      return answer(200, { deleted_keys: doomed.length });
    }
    return answer(404, { detail: "not found" });
  }
}

const ENTRIES: GatewayKeyEntry[] = [
  {
    alias: "paperclip-agents",
    variable: "PAPERCLIP_GATEWAY_KEY",
    limits: { maxBudget: 100, budgetDuration: "30d", rpmLimit: 120, tpmLimit: 1000 },
  },
  { alias: "openwebui", variable: "OPENWEBUI_GATEWAY_KEY", limits: { models: ["local-chat"] } },
];

function run(url: string, env: Record<string, string>, entries = ENTRIES): Promise<{ code: number; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), "litellm-keys-"));
  const plan = join(dir, "plan.json");
  writeFileSync(plan, renderKeyPlan(entries));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(__dirname, "registerKeys.mjs")],
      {
        env: {
          PATH: process.env.PATH ?? "",
          LITELLM_URL: url,
          KEYS_PLAN: plan,
          LITELLM_RETRY_DELAY_MS: "10",
          LITELLM_ATTEMPTS: "5",
          LITELLM_MASTER_KEY: MASTER,
          PAPERCLIP_GATEWAY_KEY: AGENTS_KEY,
          OPENWEBUI_GATEWAY_KEY: CHAT_KEY,
          ...env,
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

describe("registerKeys.mjs against a fake LiteLLM", () => {
  let fake: FakeLitellm;
  let url: string;
  beforeEach(async () => {
    fake = new FakeLitellm();
    url = await fake.start();
  });
  afterEach(async () => fake.stop());

  test("first run: each key is generated with its value, alias and limits in LiteLLM's field names", async () => {
    const result = await run(url, {});
    expect(result.code).toBe(0);
    const generated = fake.requests.filter((r) => r.path === "/key/generate").map((r) => r.body);
    expect(generated).toEqual([
      { key: AGENTS_KEY, key_alias: "paperclip-agents", max_budget: 100, budget_duration: "30d", rpm_limit: 120, tpm_limit: 1000 },
      { key: CHAT_KEY, key_alias: "openwebui", models: ["local-chat"] },
    ]);
    expect([...fake.keys.keys()].sort()).toEqual([AGENTS_KEY, CHAT_KEY].sort());
  });

  test("second run: registered keys are updated (changed limits applied), not generated again", async () => {
    await run(url, {});
    fake.requests.length = 0;
    const changed = [{ ...ENTRIES[0]!, limits: { maxBudget: 5 } }, ENTRIES[1]!];
    const result = await run(url, {}, changed);
    expect(result.code).toBe(0);
    expect(fake.requests.some((r) => r.path === "/key/generate")).toBe(false);
    expect(fake.keys.get(AGENTS_KEY)?.fields.max_budget).toBe(5);
  });

  test("rotation: a new value under the same alias replaces the old key", async () => {
    await run(url, {});
    const rotated = `sk-${"d".repeat(64)}`;
    const result = await run(url, { PAPERCLIP_GATEWAY_KEY: rotated });
    expect(result.code).toBe(0);
    expect(fake.keys.has(AGENTS_KEY)).toBe(false);
    expect(fake.keys.get(rotated)?.alias).toBe("paperclip-agents");
    expect(fake.keys.has(CHAT_KEY)).toBe(true);
  });

  test("a refused master key fails the unit, and no key is printed", async () => {
    const result = await run(url, { LITELLM_MASTER_KEY: "sk-wrong" });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("the master key was refused");
    for (const secret of [MASTER, AGENTS_KEY, CHAT_KEY, "sk-wrong"]) expect(result.output).not.toContain(secret);
  });

  test("LiteLLM still loading (503) is retried", async () => {
    fake.unavailable = 3;
    const result = await run(url, {});
    expect(result.code).toBe(0);
    expect(fake.keys.size).toBe(2);
  });

  test("a missing key variable fails before any request", async () => {
    const result = await run(url, { OPENWEBUI_GATEWAY_KEY: "" });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("OPENWEBUI_GATEWAY_KEY is not set");
  });
});
