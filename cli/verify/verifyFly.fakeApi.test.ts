/**
 * verify's Fly checks against a FAKE Machines API on loopback (Fly's is on the internet, with the
 * operator's app): every answer is validated against the shape taken from the Machines API's
 * Swagger spec (flyApi.ts) before it is sent. The app's name comes from the fly stack's own plan.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { recordStack } from "../engine/recordStack";
import { ROOT } from "../../test/support/fedoraStack";
import { shapeProblems } from "./apiShapes";
import { FLY_ERROR_SCHEMA, type Machine, MACHINES_SCHEMA } from "./flyApi";
import { expectedFlyApp, verifyFly } from "./verifyFly";

const TOKEN = "fly-readonly-token";
const CHECK = "servicecheck-00-http-3100";

describe("verify against a FAKE Fly Machines API on loopback (answers validated against the Machines API spec)", () => {
  let app: string;
  let machines: Machine[];
  let server: Server;
  let apiBase: string;
  const fakeErrors: string[] = [];
  const methods = new Set<string>();

  beforeAll(async () => {
    app = expectedFlyApp((await recordStack({ root: ROOT, stack: "fly" })).resources)!;
    server = createServer((req, res) => {
      methods.add(req.method ?? "");
      const send = (status: number, body: unknown, schema: object) => {
        const problems = shapeProblems(schema, body);
        if (problems.length > 0) {
          fakeErrors.push(`the fake's answer does not fit the Machines API: ${problems.join("; ")}`);
          res.writeHead(500).end();
          return;
        }
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${TOKEN}`)
        return send(401, { error: "Authenticate: token validation error" }, FLY_ERROR_SCHEMA);
      if (req.url === `/apps/${app}/machines`) return send(200, machines, MACHINES_SCHEMA);
      send(404, { error: "app not found" }, FLY_ERROR_SCHEMA);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(() => server?.close());
  beforeEach(() => {
    machines = [
      {
        id: "e286065f969386",
        name: "paperclip-main",
        state: "started",
        region: "fra",
        checks: [
          {
            name: CHECK,
            status: "passing",
            output: "HTTP GET http://172.19.0.2:3100/api/health: 200 OK",
            updated_at: "2026-12-03T10:00:00Z",
          },
        ],
      },
    ];
  });
  afterEach(() => expect(fakeErrors).toEqual([]));

  it("reads the app's name from the fly plan", () => {
    expect(app).toBe("sodimo-paperclip");
  });

  it("passes when the machine is started and its check passes, reading only", async () => {
    expect(await verifyFly(app, { token: TOKEN, apiBase })).toEqual([]);
    expect([...methods]).toEqual(["GET"]);
  });

  it("reports a failing check, a stopped machine and a missing one, each with what to do", async () => {
    machines[0]!.checks = [
      { name: CHECK, status: "critical", output: "HTTP GET http://172.19.0.2:3100/api/health: 503 Service Unavailable" },
    ];
    let drift = await verifyFly(app, { token: TOKEN, apiBase });
    expect(drift.map((d) => `${d.what}: ${d.found}`)).toEqual([
      `health check ${CHECK} of Fly machine paperclip-main (e286065f969386, fra): critical: HTTP GET http://172.19.0.2:3100/api/health: 503 Service Unavailable`,
    ]);
    expect(drift[0]!.fix).toContain("flyctl checks list --app sodimo-paperclip");
    machines[0]!.state = "stopped";
    machines[0]!.checks = [];
    drift = await verifyFly(app, { token: TOKEN, apiBase });
    expect(drift.map((d) => `${d.what}: ${d.found}`)).toEqual(["Fly machine paperclip-main (e286065f969386, fra): is stopped"]);
    machines = [];
    expect((await verifyFly(app, { token: TOKEN, apiBase })).map((d) => d.found)).toEqual(["has no machine"]);
  });

  it("says so when the token is refused", async () => {
    expect(await verifyFly(app, { token: "wrong", apiBase })).toEqual([
      {
        what: "Fly's Machines API",
        found: "GET /apps/sodimo-paperclip/machines: HTTP 401 (Authenticate: token validation error)",
        fix: expect.stringContaining("FLY_API_TOKEN"),
      },
    ]);
  });
});
