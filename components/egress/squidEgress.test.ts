/**
 * The egress boundary for real: the proxy configuration the catalogue renders, run by Debian's Squid
 * with the container's own start script, in a private network namespace whose "internet" is two local
 * sinks (a model provider's address and an allowed host's), named through a private hosts file. The
 * agent is a second namespace with one veth to the proxy and no other route: what an agent on the
 * Internal agents network has.
 *
 * Needs root, Debian's `squid`, `iproute2`, `curl` and util-linux's unshare/nsenter (.ci/run installs
 * them). Without them the test is skipped loudly on a developer machine and FAILS when CI=true.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { egressProxyConfig, egressProxyEnvironment } from "../../infra/catalog/egress-proxy";
import { squidStartScript } from "./squidImage";

const run = promisify(execFile);

const PROVIDER_SINK = "203.0.113.10";
const ALLOWED_SINK = "203.0.113.20";
const PRIVATE_SINK = "10.99.0.5";
const PROXY_ADDRESS = "10.200.0.1";
const AGENT_ADDRESS = "10.200.0.2";

const TOOLS = ["/usr/sbin/squid", "/usr/bin/unshare", "/usr/bin/nsenter", "/usr/bin/curl"];
function unavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return "the egress test must run as root (network namespaces, Squid's drop to its proxy user)";
  const missing = [...TOOLS, "/usr/sbin/ip|/sbin/ip|/usr/bin/ip"].filter((tool) => !tool.split("|").some((path) => existsSync(path)));
  return missing.length > 0 ? `missing ${missing.join(", ")} (apt-get install squid iproute2 curl)` : undefined;
}
const unavailable = unavailableReason();
if (unavailable !== undefined && process.env.CI !== "true") {
  console.warn(`\n!!! SKIPPED: the real-Squid egress test: ${unavailable}.\n`);
}

/** A process that holds a namespace open; `nsenter -t pid` enters it. */
function holdNamespaces(flags: string[]): ChildProcess {
  return spawn("unshare", [...flags, "sleep", "300"], { stdio: "ignore" });
}

interface Curl {
  exitCode: number;
  stdout: string;
  stderr: string;
}

describe("the egress proxy, Debian's Squid running the rendered configuration", () => {
  if (unavailable !== undefined) {
    if (process.env.CI === "true") {
      it("has Squid, iproute2, curl and root (CI must install them)", () => {
        expect.fail(`egress test cannot run: ${unavailable}`);
      });
    } else {
      it.skip(`SKIPPED LOUDLY: ${unavailable}`, () => undefined);
    }
    return;
  }

  let directory: string;
  let proxyNs: ChildProcess;
  let agentNs: ChildProcess;
  let sinks: ChildProcess;
  let squid: ChildProcess;
  let squidOutput = "";
  const sinkHits: string[] = [];
  const nsenter = (holder: ChildProcess, args: string[]) => run("nsenter", ["-t", String(holder.pid), ...args]);

  /** curl from the agent's namespace, with the agents' proxy environment (or without it). */
  async function agentCurl(args: string[], env: Record<string, string> = egressProxyEnvironment(["litellm"])): Promise<Curl> {
    return new Promise((resolve) => {
      execFile(
        "nsenter",
        ["-t", String(agentNs.pid), "-n", "-m", "curl", "-sS", "-m", "5", ...args],
        { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } },
        (error, stdout, stderr) => resolve({ exitCode: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "egress-squid-"));
    // Squid's proxy user opens the log FIFO in it.
    await chmod(directory, 0o755);
    const logPath = join(directory, "squid-log.fifo");
    const config = egressProxyConfig({ egress: { allowHosts: ["docs.anthropic.com"], denyHosts: [".paste.example"] } }, logPath);
    await writeFile(join(directory, "squid.conf"), config);
    // The proxy's view of the internet: a provider, hosts agents need, a denied and a private host.
    await writeFile(
      join(directory, "proxy-hosts"),
      [
        "127.0.0.1 localhost",
        `${PROVIDER_SINK} api.anthropic.com api.openai.com bedrock-runtime.eu-west-3.amazonaws.com generativelanguage.googleapis.com x.paste.example`,
        `${ALLOWED_SINK} github.com registry.npmjs.org mcp.sodimo.eu docs.anthropic.com`,
        `${PRIVATE_SINK} nas.internal.example`,
        "",
      ].join("\n"),
    );
    // The agent's: only the proxy has a name (Podman's DNS on the agents network).
    await writeFile(join(directory, "agent-hosts"), `127.0.0.1 localhost\n${PROXY_ADDRESS} egress-proxy\n`);

    proxyNs = holdNamespaces(["--net", "--mount"]);
    agentNs = holdNamespaces(["--net", "--mount"]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await nsenter(proxyNs, [
      "-n",
      "-m",
      "sh",
      "-ec",
      [
        `mount --bind ${join(directory, "proxy-hosts")} /etc/hosts`,
        "ip link set lo up",
        ...[PROVIDER_SINK, ALLOWED_SINK, PRIVATE_SINK].map((address) => `ip addr add ${address}/32 dev lo`),
        `ip link add egress0 type veth peer name agent0 netns ${agentNs.pid}`,
        `ip addr add ${PROXY_ADDRESS}/30 dev egress0`,
        "ip link set egress0 up",
      ].join("\n"),
    ]);
    await nsenter(agentNs, [
      "-n",
      "-m",
      "sh",
      "-ec",
      [
        `mount --bind ${join(directory, "agent-hosts")} /etc/hosts`,
        "ip link set lo up",
        `ip addr add ${AGENT_ADDRESS}/30 dev agent0`,
        "ip link set agent0 up",
      ].join("\n"),
    ]);

    // The sinks answer plain HTTP on :443 and :80 (curl tunnels plain HTTP through CONNECT with -p).
    const sinkScript = `
      const http = require("node:http");
      let listening = 0;
      for (const address of ${JSON.stringify([PROVIDER_SINK, ALLOWED_SINK, PRIVATE_SINK])}) for (const port of [80, 443]) {
        http.createServer((request, response) => {
          console.log(JSON.stringify({ address, host: request.headers.host }));
          response.end("sink " + address + "\\n");
        }).listen(port, address, () => ++listening === 6 && console.log("listening"));
      }
      setTimeout(() => process.exit(0), 120000);`;
    sinks = spawn("nsenter", ["-F", "-t", String(proxyNs.pid), "-n", "node", "-e", sinkScript], { stdio: ["ignore", "pipe", "inherit"] });
    const sinksListening = new Promise<void>((resolve) => {
      sinks.stdout!.on("data", (chunk: Buffer) => {
        const lines = chunk.toString().trim().split("\n");
        if (lines.includes("listening")) resolve();
        sinkHits.push(...lines.filter((line) => line !== "listening"));
      });
    });

    // The container's command, as root: the log FIFO for Squid's user, its copy to stdout, then Squid,
    // as PID 1 of its own PID namespace like in the container, so the copy ends with it.
    const start = squidStartScript(join(directory, "squid.conf"), logPath);
    squid = spawn(
      "nsenter",
      ["-F", "-t", String(proxyNs.pid), "-n", "-m", "unshare", "--pid", "--fork", "--kill-child", "sh", "-c", start],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    squid.stdout!.on("data", (chunk: Buffer) => (squidOutput += chunk.toString()));
    squid.stderr!.on("data", (chunk: Buffer) => (squidOutput += chunk.toString()));
    const started = Date.now();
    while (!/Accepting HTTP Socket connections/.test(squidOutput)) {
      if (squid.exitCode !== null || Date.now() - started > 20_000) throw new Error(`Squid did not start:\n${squidOutput}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await sinksListening;
  }, 40_000);

  afterAll(async () => {
    if (process.env.EGRESS_TEST_LOG) console.log(squidOutput);
    if (squid?.exitCode === null) {
      // Squid is PID 1 of its namespace, a child of unshare: stop it (its log copy ends with it), then
      // unshare exits. Stopping unshare alone would not do: Squid's drop to its user clears the
      // parent-death signal --kill-child sets.
      const exited = new Promise((resolve) => squid.once("exit", resolve));
      const { stdout } = await run("pgrep", ["-P", String(squid.pid)]).catch(() => ({ stdout: "" }));
      for (const pid of stdout.split("\n").filter(Boolean)) process.kill(Number(pid), "SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (squid.exitCode === null) squid.kill("SIGKILL");
    }
    for (const child of [sinks, agentNs, proxyNs]) if (child?.exitCode === null) child.kill("SIGTERM");
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it("parses the rendered configuration without a warning", async () => {
    const { stderr } = await run("squid", ["-k", "parse", "-f", join(directory, "squid.conf")]);
    expect(stderr.split("\n").filter((line) => /WARNING|ERROR|FATAL/.test(line))).toEqual([]);
  });

  it("lets an agent reach an allowed host, the MCP endpoint and a package registry through the proxy", async () => {
    for (const host of ["github.com", "mcp.sodimo.eu", "registry.npmjs.org"]) {
      const tunnelled = await agentCurl(["-p", `http://${host}:443/`]);
      expect(tunnelled, host).toMatchObject({ exitCode: 0, stdout: `sink ${ALLOWED_SINK}\n` });
    }
    expect(squidOutput).toMatch(
      new RegExp(`TCP_TUNNEL/200 \\d+ CONNECT github\\.com:443 - HIER_DIRECT/${ALLOWED_SINK.replaceAll(".", "\\.")}`),
    );
  });

  it("refuses a model provider, over CONNECT and plain HTTP, logs the refusal and never contacts it", async () => {
    for (const host of ["api.anthropic.com", "bedrock-runtime.eu-west-3.amazonaws.com", "generativelanguage.googleapis.com"]) {
      const tunnelled = await agentCurl(["-p", `http://${host}:443/`]);
      expect(tunnelled.exitCode, host).toBe(56);
      expect(tunnelled.stderr).toContain("CONNECT tunnel failed, response 403");
      expect(squidOutput).toMatch(new RegExp(`TCP_DENIED/403 \\d+ CONNECT ${host.replaceAll(".", "\\.")}:443 `));
    }
    const plain = await agentCurl(["-o", "/dev/null", "-w", "%{http_code}", "http://api.openai.com/v1/models"]);
    expect(plain).toMatchObject({ exitCode: 0, stdout: "403" });
    expect(squidOutput).toMatch(/TCP_DENIED\/403 \d+ GET http:\/\/api\.openai\.com\/v1\/models /);
    expect(sinkHits.filter((hit) => hit.includes(PROVIDER_SINK))).toEqual([]);
  });

  it("applies the operator's lists: the deny-list refuses, the allow-list reopens a provider's host", async () => {
    expect((await agentCurl(["-p", "http://x.paste.example:443/"])).exitCode).toBe(56);
    expect(await agentCurl(["-p", "http://docs.anthropic.com:443/"])).toMatchObject({ exitCode: 0, stdout: `sink ${ALLOWED_SINK}\n` });
  });

  it("refuses bare addresses and private destinations (the host's LAN, the other networks)", async () => {
    expect((await agentCurl(["-p", `http://${ALLOWED_SINK}:443/`])).stderr).toContain("response 403");
    expect((await agentCurl(["-p", "http://nas.internal.example:443/"])).stderr).toContain("response 403");
    expect((await agentCurl(["-p", "http://github.com:22/"])).stderr).toContain("response 403");
    expect(sinkHits.filter((hit) => hit.includes(PRIVATE_SINK))).toEqual([]);
  });

  it("leaves a process that ignores the proxy without a route: not to the provider, not to an allowed host", async () => {
    for (const address of [PROVIDER_SINK, ALLOWED_SINK]) {
      const direct = await agentCurl(["-v", "--noproxy", "*", `http://${address}:443/`], {});
      expect(direct.exitCode).toBe(7);
      expect(direct.stderr).toMatch(/Network is unreachable/);
    }
    // Nor can it resolve a name: the agent's resolver knows only the proxy.
    expect((await agentCurl(["--noproxy", "*", "http://api.anthropic.com/"], {})).exitCode).toBe(6);
  });

  it("keeps one log line per request on stdout, for the journal", () => {
    const accessLines = squidOutput.split("\n").filter((line) => /^\d+\.\d{3}\s+\d+ 10\.200\.0\.2 TCP_/.test(line));
    expect(accessLines.length).toBeGreaterThanOrEqual(10);
    expect(accessLines.filter((line) => line.includes("TCP_DENIED/403")).length).toBeGreaterThanOrEqual(7);
  });
});
