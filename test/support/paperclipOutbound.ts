/**
 * What makes the real Paperclip server and its adapters call out (issue 13, 4b), as a signed-in board
 * member would through the API: the adapter list, each adapter's model list (refreshed, so nothing
 * comes from a cache), the subscription-quota windows, and each installed agent CLI's environment
 * test, which starts the CLI with a hello prompt (Paperclip 2026.916.1: routes/agents.js
 * `/companies/:companyId/adapters/:type/models` and `/test-environment`, routes/costs.js
 * `/costs/quota-windows`).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import {
  addressOf,
  destinationOf,
  type OutboundRecord,
  type OutboundRecorder,
  outboundProblems,
  type OutboundRule,
} from "./outboundRecorder";
import { curl, type HttpAnswer, type NamespaceProcess, PAPERCLIP_TOOLS_BIN } from "./paperclipNamespace";

/** The agent CLIs this machine has: the Claude Code and Codex binaries paperclipai brings (apps/mcp-worker/src/agentClis.test.ts). */
const AGENT_CLIS = {
  claude_local: { command: "claude", path: join(PAPERCLIP_TOOLS_BIN, "..", "@anthropic-ai", "claude-agent-sdk-linux-x64", "claude") },
  codex_local: { command: "codex", path: join(PAPERCLIP_TOOLS_BIN, "codex") },
} as const;

/**
 * A directory with the agent CLIs under their commands, for the server's PATH: the image installs
 * them globally (docs/paperclip-upstream.md §1), and an adapter's environment test only runs a command
 * it finds on the server's PATH.
 */
export function agentCliDirectory(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const cli of Object.values(AGENT_CLIS)) symlinkSync(cli.path, join(dir, cli.command));
  return dir;
}

export interface OutboundCall {
  call: string;
  answer: HttpAnswer;
  /** What the recorder saw while the call ran (calls run one after another). */
  outbound: OutboundRecord[];
  /** An agent run still running when the test stopped waiting. */
  unfinished?: boolean;
}

/** `headers`: a signed-in board member's (Host, Origin, Cookie). Every call is made, in order. */
export function provokeOutbound(
  proc: NamespaceProcess,
  base: string,
  headers: Record<string, string>,
  recorder: OutboundRecorder,
): OutboundCall[] {
  const calls: OutboundCall[] = [];
  const call = (label: string, path: string, options: { method?: string; body?: unknown; maxSeconds?: number } = {}) => {
    const before = recorder.records().length;
    const answer = curl(proc, `${base}${path}`, { ...options, headers });
    calls.push({ call: label, answer, outbound: recorder.records().slice(before) });
    return answer;
  };
  const company = call("create a company", "/api/companies", { method: "POST", body: { name: "Outbound recorder" } });
  if (company.status !== 201 && company.status !== 200) throw new Error(`creating a company: ${company.status} ${company.body}`);
  const companyId = (JSON.parse(company.body) as { id: string }).id;
  const adapters = JSON.parse(call("adapter list", "/api/adapters").body) as Array<{ type: string; disabled?: boolean }>;
  for (const adapter of adapters.filter((a) => a.disabled !== true))
    call(`${adapter.type} models`, `/api/companies/${companyId}/adapters/${adapter.type}/models?refresh=true`);
  call("quota windows", `/api/companies/${companyId}/costs/quota-windows`);
  // Each CLI through both of the release's engines: ACP (its default) and the CLI lane.
  for (const type of Object.keys(AGENT_CLIS))
    for (const engine of ["acp", "cli"])
      call(`${type} hello probe (${engine})`, `/api/companies/${companyId}/adapters/${type}/test-environment`, {
        method: "POST",
        body: { adapterConfig: { engine } },
        // The hello probe's own limit is 45 s (adapter-claude-local, adapter-codex-local dist/server/test.js).
        maxSeconds: 90,
      });
  // A real run of an agent of each CLI (the heartbeat path, adapter dist/server/execute.js), per engine.
  for (const type of Object.keys(AGENT_CLIS))
    for (const engine of ["acp", "cli"]) {
      const label = `${type} agent run (${engine})`;
      const before = recorder.records().length;
      const created = curl(proc, `${base}/api/companies/${companyId}/agents`, {
        method: "POST",
        headers,
        body: { name: `${type}-${engine}`, adapterType: type, adapterConfig: { engine } },
      });
      if (created.status !== 201 && created.status !== 200)
        throw new Error(`${label}: creating the agent: ${created.status} ${created.body}`);
      const agentId = (JSON.parse(created.body) as { id: string }).id;
      const invoked = curl(proc, `${base}/api/agents/${agentId}/heartbeat/invoke`, { method: "POST", headers, body: {} });
      if (invoked.status >= 300) throw new Error(`${label}: invoking: ${invoked.status} ${invoked.body}`);
      const runId = (JSON.parse(invoked.body) as { id: string }).id;
      const { answer, finished } = waitForRun(proc, base, headers, runId);
      calls.push({ call: label, answer, outbound: recorder.records().slice(before), unfinished: !finished });
    }
  return calls;
}

const FINISHED_RUN = new Set(["succeeded", "failed", "cancelled", "timed_out", "error"]);

/** Polls the run until it has finished (at most 120 s); its last answer. */
function waitForRun(
  proc: NamespaceProcess,
  base: string,
  headers: Record<string, string>,
  runId: string,
): { answer: HttpAnswer; finished: boolean } {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const answer = curl(proc, `${base}/api/heartbeat-runs/${runId}`, { headers });
    const status = (JSON.parse(answer.body) as { status?: string }).status ?? "";
    if (FINISHED_RUN.has(status)) return { answer, finished: true };
    if (Date.now() > deadline) return { answer, finished: false };
    spawnSync("sleep", ["1"]);
  }
}

/**
 * The model requests that must have reached the gateway, with the gateway key: without them a clean
 * record would prove nothing (a probe that never ran sends nothing anywhere).
 */
const EXPECTED_AT_GATEWAY: Array<{ call: RegExp; request: RegExp }> = [
  { call: /^claude_local models$/, request: /^GET \/v1\/models$/ },
  { call: /^claude_local hello probe/, request: /^POST \/v1\/messages/ },
  { call: /^claude_local agent run/, request: /^POST \/v1\/messages/ },
];

/**
 * The calls allowed a destination other than the gateway, never a credential (docs/agent-environment.md):
 * - the quota poll: Paperclip runs an interactive `claude` with every ANTHROPIC_* variable removed
 *   (adapter-claude-local dist/server/quota.js, createClaudeQuotaEnv), and that Claude Code checks
 *   api.anthropic.com and platform.claude.com with no key (seen on fedora, through the egress proxy,
 *   which refuses both);
 * - Codex's hello probe, which Paperclip 2026.916.1 starts without the gateway provider of
 *   PAPERCLIP_CODEX_PROVIDERS (only a run merges it: adapter-codex-local dist/server/execute.js), so
 *   Codex tries api.openai.com with no key.
 */
const CREDENTIAL_FREE_CALLS = /^(quota windows|codex_local hello probe \(cli\))$/;

/** Every problem of the calls' traffic against the rule (see EXPECTED_AT_GATEWAY, CREDENTIAL_FREE_CALLS). */
export function judgeOutbound(calls: readonly OutboundCall[], rule: OutboundRule): string[] {
  const gateway = addressOf(rule.gateway);
  const problems: string[] = [];
  for (const { call, outbound, unfinished } of calls) {
    if (unfinished === true) problems.push(`${call}: still running after 120 s`);
    const found = outboundProblems(outbound, { ...rule, credentialsOnly: CREDENTIAL_FREE_CALLS.test(call) });
    problems.push(...found.map((problem) => `${call}: ${problem}`));
    for (const expected of EXPECTED_AT_GATEWAY.filter((e) => e.call.test(call))) {
      const made = outbound.some(
        (r) =>
          r.kind === "http" &&
          destinationOf(r) === gateway &&
          expected.request.test(`${r.method} ${r.target}`) &&
          [r.headers?.["x-api-key"], r.headers?.authorization?.replace(/^Bearer\s+/i, "")].includes(rule.gatewayKey),
      );
      if (!made) problems.push(`${call}: no ${expected.request.source} to the gateway with the gateway key`);
    }
  }
  return problems;
}

/**
 * A Codex run as the release treats it here: refused before Codex starts, because its managed home
 * has no credentials (no auth.json, no OPENAI_API_KEY: adapter-codex-local dist/server/codex-home.js,
 * evaluateCodexCredentialReadiness), so nothing is sent anywhere. What is wrong with the calls
 * against that (docs/agent-environment.md, "Codex": codex agents do not run yet).
 */
export function codexRunProblems(calls: readonly OutboundCall[]): string[] {
  const problems: string[] = [];
  for (const { call, answer, outbound } of calls.filter((c) => /^codex_local agent run/.test(c.call))) {
    const run = JSON.parse(answer.body) as { status?: string; errorCode?: string };
    if (run.status !== "failed" || run.errorCode !== "configuration_incomplete")
      problems.push(`${call}: ${run.status}/${run.errorCode}, not refused for missing credentials: judge its traffic now`);
    if (outbound.length > 0) problems.push(`${call}: sent ${outbound.length} records' worth of traffic`);
  }
  return problems;
}
