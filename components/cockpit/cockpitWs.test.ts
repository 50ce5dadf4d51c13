/**
 * The rendered cockpit.conf in the real cockpit-ws (Debian's cockpit-ws, the same web service the
 * cockpit/ws image runs), on loopback without TLS as behind Caddy: the login page offers no
 * "Connect to" host, and a WebSocket from a foreign origin is refused. No login is attempted (that
 * needs PAM and a session, which the image provides and this machine does not).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { isCi } from "../../cli/validators/tools";
import { renderCockpitConf } from "./renderCockpitConf";

const COCKPIT_WS = "/usr/lib/cockpit/cockpit-ws";
const HOSTNAME = "cockpit.sodimo.eu";

function requireCockpitWs(context: TestContext): void {
  if (existsSync(COCKPIT_WS)) return;
  const message = `${COCKPIT_WS} not installed — apt-get install cockpit-ws`;
  if (isCi()) throw new Error(`FAILED: ${message}`);
  console.warn(`\n*** SKIPPED: ${message} ***\n`);
  context.skip(message);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function get(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // An accepted WebSocket upgrade is not a response: report it as 101 and hang up.
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, body: "" });
    });
    req.on("error", reject);
    req.end();
  });
}

/** The JSON cockpit-ws writes into its login page as `environment = {...};`. */
function loginEnvironment(page: string): { page?: { connect?: boolean } } {
  const found = /environment = (\{.*?\});/.exec(page);
  if (!found) throw new Error(`no environment in the login page: ${page.slice(0, 200)}`);
  return JSON.parse(found[1]!) as { page?: { connect?: boolean } };
}

describe("cockpit.conf in the real cockpit-ws", () => {
  let dir = "";
  let port = 0;
  let ws: ChildProcess | undefined;
  let output = "";

  async function start(conf: string): Promise<void> {
    dir = mkdtempSync(join(tmpdir(), "cockpit-ws-"));
    mkdirSync(join(dir, "cockpit"));
    writeFileSync(join(dir, "cockpit", "cockpit.conf"), conf);
    port = await freePort();
    // The one substitution: cockpit-ws reads $XDG_CONFIG_DIRS/cockpit/cockpit.conf instead of /etc/cockpit.
    ws = spawn(COCKPIT_WS, ["--no-tls", "--address", "127.0.0.1", "--port", String(port)], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", XDG_CONFIG_DIRS: dir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    ws.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    ws.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    for (let i = 0; i < 100; i++) {
      try {
        await get(port, "/", { Host: HOSTNAME });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`cockpit-ws did not answer on ${port}: ${output}`);
  }

  function stop(): void {
    ws?.kill("SIGTERM");
    ws = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  }

  beforeAll(async () => {
    if (existsSync(COCKPIT_WS)) await start(renderCockpitConf(HOSTNAME));
  });
  afterAll(stop);

  it("serves the login page without the 'Connect to' field (LoginTo = false)", async (context) => {
    requireCockpitWs(context);
    const page = await get(port, "/", { Host: HOSTNAME, "X-Forwarded-Proto": "https" });
    expect(loginEnvironment(page.body).page?.connect).toBe(false);
  });

  it("refuses a WebSocket from a foreign origin, and not the public one's", async (context) => {
    requireCockpitWs(context);
    const upgrade = (origin: string) =>
      get(port, "/cockpit/socket", {
        Host: HOSTNAME,
        "X-Forwarded-Proto": "https",
        Origin: origin,
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Protocol": "cockpit1",
      });
    expect((await upgrade("https://evil.example")).status).toBe(403);
    // The public origin's upgrade is accepted (the login happens over the socket).
    expect((await upgrade(`https://${HOSTNAME}`)).status).toBe(101);
  });

  it("the check can fail: without LoginTo the same cockpit-ws offers 'Connect to' when cockpit-ssh is present", async (context) => {
    requireCockpitWs(context);
    stop();
    await start(renderCockpitConf(HOSTNAME).replace("LoginTo = false", "LoginTo = true"));
    const page = await get(port, "/", { Host: HOSTNAME });
    expect(loginEnvironment(page.body).page?.connect).toBe(true);
  });
});
