/**
 * The agent CLIs Paperclip 2026.916.1 runs, on the MCP configuration the stack gives them
 * (infra/catalog/mcpEndpoint.ts), reach the MCP Worker and list its tools: the real Claude Code and
 * Codex binaries that paperclipai@2026.916.1 installs (.tools/paperclip, `npm run tools`), the Worker
 * in workerd (Miniflare), and between them a stand-in for Cloudflare Access that admits only the
 * agents' service token (testSupport/accessEdge.ts; Access does not run here). No model is reached:
 * the CLIs connect to their MCP servers first, then the test stops them.
 *
 * Without the binaries it is skipped loudly locally and FAILS when CI=true.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { isCi } from "../../../cli/validators/tools";
import { AGENT_MCP_SERVER_NAME, renderCodexMcpConfig } from "../../../components/paperclip/renderAgentMcpConfig";
import { AGENT_MCP_CONFIG, MCP_ENDPOINT_ENV, mcpEndpointConfigFiles } from "../../../infra/catalog/mcpEndpoint";
import { PAPERCLIP_TOOLS_BIN } from "../../../test/support/paperclipNamespace";
import { AccessEdge } from "../testSupport/accessEdge";
import { AccessIssuer } from "../testSupport/accessIssuer";
import { startMcpWorker, waitFor, type McpWorkerHarness } from "../testSupport/mcpWorkerHarness";

const MODULES = join(PAPERCLIP_TOOLS_BIN, "..");
const CLAUDE = join(MODULES, "@anthropic-ai", "claude-agent-sdk-linux-x64", "claude");
const CODEX = join(PAPERCLIP_TOOLS_BIN, "codex");
const AUDIENCE = "a".repeat(64);
const TOKEN = { clientId: "0123456789abcdef0123456789abcdef.access", clientSecret: "f".repeat(64) };
const AGENT_SENDER = "agents@sodimo.test";
/** Nothing listens there: the CLIs' model requests (and, as their proxy, all others) fail at once. */
const NO_MODEL = "http://127.0.0.1:9";

function versionOf(packageName: string): string | undefined {
  const file = join(MODULES, ...packageName.split("/"), "package.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version : undefined;
}

/** Claude Code's own version (the SDK package that ships the binary has another number). */
function claudeVersion(): string | undefined {
  if (!existsSync(CLAUDE)) return undefined;
  return /^\S+/.exec(spawnSync(CLAUDE, ["--version"], { encoding: "utf8" }).stdout)?.[0];
}

function requireBinary(context: TestContext, path: string, what: string): void {
  if (existsSync(path)) return;
  const reason = `${what} not installed at ${path} (npm run tools installs paperclipai, which brings it)`;
  if (isCi()) throw new Error(`FAILED: ${reason} (CI=true: a missing tool fails)`);
  console.warn(`\n*** SKIPPED: ${reason} ***\n`);
  context.skip(`SKIPPED: ${reason}`);
}

/** The first line of `child`'s stdout that `match` accepts (the child is stopped by the caller). */
function firstLine(child: ChildProcess, match: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-4000)));
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      for (let newline = buffer.indexOf("\n"); newline >= 0; newline = buffer.indexOf("\n")) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (match(line)) resolve(line);
      }
    });
    child.on("exit", (code) => reject(new Error(`exited (${code}) before the line; stderr: ${stderr}`)));
  });
}

describe("the agent CLIs on the stack's MCP configuration", () => {
  let directory: string;
  let issuer: AccessIssuer;
  let worker: McpWorkerHarness;
  let edge: AccessEdge;
  const children: ChildProcess[] = [];
  const agentEnvironment = (home: string): NodeJS.ProcessEnv => ({
    PATH: `${PAPERCLIP_TOOLS_BIN}:/usr/bin:/bin`,
    HOME: home,
    // Whatever a CLI would fetch from the internet (Codex asks api.openai.com whatever its base URL
    // says) goes to a proxy that is not there; only loopback, where the stand-in Access is, is direct.
    ...Object.fromEntries(
      ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"].map((name) => [name, NO_MODEL]),
    ),
    NO_PROXY: "127.0.0.1,localhost",
    no_proxy: "127.0.0.1,localhost",
    [MCP_ENDPOINT_ENV.url]: edge.url.href,
    [MCP_ENDPOINT_ENV.clientId]: TOKEN.clientId,
    [MCP_ENDPOINT_ENV.clientSecret]: TOKEN.clientSecret,
  });

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "mcp-agent-clis-"));
    issuer = await AccessIssuer.start(AUDIENCE);
    worker = await startMcpWorker({
      issuer: issuer.issuer,
      audience: AUDIENCE,
      senderRules: { personDomains: [], serviceTokens: { [TOKEN.clientId]: { actor: "paperclip-agents", senders: [AGENT_SENDER] } } },
    });
    edge = await AccessEdge.start({ worker: worker.url, issuer, token: TOKEN });
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await edge?.stop();
    await worker?.dispose();
    await issuer?.stop();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it(`Claude Code ${claudeVersion() ?? "(absent)"}: the stack's --mcp-config file, beside Paperclip's strict one, connects through Access`, async (context) => {
    requireBinary(context, CLAUDE, "Claude Code");
    const claudeFile = mcpEndpointConfigFiles({ hostname: (sub) => `${sub}.sodimo.test` }).find(
      (file) => file.mountPath === AGENT_MCP_CONFIG.claudeFile,
    )!;
    const ours = join(directory, "claude.json");
    writeFileSync(ours, claudeFile.content);
    // What the claude_local adapter passes when Paperclip manages MCP servers of its own:
    // `--mcp-config <its file> --strict-mcp-config`, then the agent's extraArgs.
    const paperclips = join(directory, "paperclip-mcp-config.json");
    writeFileSync(
      paperclips,
      JSON.stringify({ mcpServers: { "Paperclip projects": { type: "http", url: `${NO_MODEL}/api/mcp/project-tools`, headers: {} } } }),
    );
    const home = join(directory, "claude-home");
    mkdirSync(home);
    const child = spawn(
      CLAUDE,
      [
        ...["--print", "--output-format", "stream-json", "--verbose"],
        ...["--mcp-config", paperclips, "--strict-mcp-config"],
        // The agent's extraArgs come last; --mcp-config takes several values, so the prompt goes on
        // stdin, as the adapter sends it.
        ...["--mcp-config", ours],
      ],
      {
        cwd: directory,
        env: {
          ...agentEnvironment(home),
          ANTHROPIC_API_KEY: "no-model-here",
          ANTHROPIC_BASE_URL: NO_MODEL,
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    children.push(child);
    child.stdin.end("Say hello.\n");
    const init = JSON.parse(await firstLine(child, (line) => line.includes('"subtype":"init"'))) as {
      mcp_servers: { name: string; status: string }[];
      tools: string[];
    };
    child.kill("SIGKILL");

    expect(init.mcp_servers).toContainEqual({ name: AGENT_MCP_SERVER_NAME, status: "connected" });
    expect(init.mcp_servers.map((server) => server.name)).toContain("Paperclip projects");
    expect(init.tools).toEqual(
      expect.arrayContaining([`mcp__${AGENT_MCP_SERVER_NAME}__email_send`, `mcp__${AGENT_MCP_SERVER_NAME}__ledger_recent`]),
    );
    expect(edge.forwarded.map((call) => call.method)).toEqual(expect.arrayContaining(["initialize", "tools/list"]));
  });

  it(`Codex ${versionOf("@openai/codex") ?? "(absent)"}: the stack's config.toml, as Paperclip seeds it into a managed Codex home, connects through Access`, async (context) => {
    requireBinary(context, CODEX, "Codex");
    const codexHome = join(directory, "codex-home");
    mkdirSync(codexHome);
    writeFileSync(
      join(codexHome, "config.toml"),
      renderCodexMcpConfig(edge.url.href, { clientId: MCP_ENDPOINT_ENV.clientId, clientSecret: MCP_ENDPOINT_ENV.clientSecret }),
    );
    const env = {
      ...agentEnvironment(join(directory, "codex-user")),
      CODEX_HOME: codexHome,
      OPENAI_API_KEY: "no-model-here",
      OPENAI_BASE_URL: `${NO_MODEL}/v1`,
    };

    // Codex's own reading of the file: the URL as written, the headers' values from the variables.
    const listed = spawnSync(CODEX, ["mcp", "list", "--json"], { env, encoding: "utf8" });
    expect(listed.status, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({
        name: AGENT_MCP_SERVER_NAME,
        enabled: true,
        transport: expect.objectContaining({
          type: "streamable_http",
          url: edge.url.href,
          env_http_headers: { "CF-Access-Client-Id": MCP_ENDPOINT_ENV.clientId, "CF-Access-Client-Secret": MCP_ENDPOINT_ENV.clientSecret },
        }),
      }),
    ]);

    const before = edge.forwarded.length;
    const child = spawn(CODEX, ["exec", "--json", "--skip-git-repo-check", "Say hello."], {
      cwd: directory,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    const calls = await waitFor(
      () => Promise.resolve(edge.forwarded.slice(before)),
      (forwarded) => forwarded.some((call) => call.method === "tools/list"),
    );
    child.kill("SIGKILL");

    expect(calls.find((call) => call.method === "initialize")?.status).toBe(200);
    const list = calls.find((call) => call.method === "tools/list")!;
    expect(list.status).toBe(200);
    const tools = (list.response as { result?: { tools?: { name: string }[] } }).result?.tools?.map((tool) => tool.name);
    expect(tools?.sort()).toEqual(["email_send", "ledger_recent"]);
  });

  it("the stand-in Access refuses a request without the service token, as the application's policies do", async () => {
    const before = edge.refused;
    const answer = await fetch(edge.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(answer.status).toBe(403);
    expect(edge.refused).toBe(before + 1);
  });
});
