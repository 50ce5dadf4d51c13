/**
 * A failed restart rolls back (FAKE systemctl/podman/journalctl — systemd and the Podman runtime cannot
 * run here; see testSupport/scriptHost.ts). The write and restart scripts the Harness renders run for
 * real (`sh`, real `curl`) against a temporary HOME; the route is probed through a stand-in for Caddy
 * on loopback that answers for the public Host.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSecretScript, type RestartCheck, restartScript, writeFileScript } from "./hostCommands";
import { ScriptHost } from "./testSupport/scriptHost";

const UNIT_PATH = ".config/containers/systemd/paperclip.container";
const CONFIG_PATH = ".config/harness/paperclip/config.json";
const HOSTNAME = "paperclip.example.test";
const unit = (tag: string) => `[Container]\nImage=ghcr.io/paperclipai/paperclip:${tag}\nHealthCmd=true\n`;

let caddy: Server;
let caddyAddress: string;
/** What the stand-in answers for the public Host (anything else: 404, as Caddy does for an unknown site). */
let upstreamStatus = 200;

beforeAll(async () => {
  caddy = createServer((request, response) => {
    response.writeHead(request.headers.host === HOSTNAME ? upstreamStatus : 404).end();
  });
  await new Promise<void>((resolve) => caddy.listen(0, "127.0.0.1", resolve));
  caddyAddress = `127.0.0.1:${(caddy.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => caddy.close(() => resolve())));

let host: ScriptHost;
beforeEach(() => {
  host = new ScriptHost();
  upstreamStatus = 200;
});
afterEach(() => host.remove());

const check = (overrides: Partial<RestartCheck> = {}): RestartCheck => ({
  unit: "paperclip.service",
  files: [UNIT_PATH, CONFIG_PATH],
  secrets: ["paperclip-auth-secret"],
  healthContainer: "paperclip",
  route: { hostname: HOSTNAME, address: caddyAddress },
  timeoutSeconds: 2,
  ...overrides,
});

/** One `pulumi up` of the unit: the file and secret commands that changed, then the restart. */
async function deploy(changes: { unit?: string; config?: string; secret?: string }, restart = check()) {
  const owner = { owner: "harness-x", keepsPrevious: true };
  if (changes.unit !== undefined) expect(host.run(writeFileScript(UNIT_PATH, "0644", true, owner), changes.unit).status).toBe(0);
  if (changes.config !== undefined) expect(host.run(writeFileScript(CONFIG_PATH, "0644", false, owner), changes.config).status).toBe(0);
  if (changes.secret !== undefined) expect(host.run(createSecretScript("paperclip-auth-secret", owner), changes.secret).status).toBe(0);
  return host.runAsync(restartScript(restart));
}

describe("the restart of a unit (FAKE systemctl/podman/journalctl; real sh and curl)", () => {
  it("passes when the unit is active, healthy and its route answers through Caddy with the public Host", async () => {
    const result = await deploy({ unit: unit("v1"), config: "{}\n", secret: "one" });
    expect(result).toMatchObject({ status: 0, stderr: "" });
    expect(host.calls()).toEqual(
      expect.arrayContaining(["systemctl --user restart --no-block paperclip.service", "podman healthcheck run paperclip"]),
    );
  });

  it("a failed image bump: restores the previous unit file and secret, restarts them, and fails naming the unit, the check and the journal", async () => {
    expect((await deploy({ unit: unit("v1"), config: "{}\n", secret: "one" })).status).toBe(0);
    host.unhealthyWhileUnitContains(":broken");
    const failed = await deploy({ unit: unit("broken"), secret: "two" });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain(
      "harness: paperclip.service failed its check after the update: the health check of the container paperclip does not pass (podman healthcheck run paperclip).",
    );
    expect(failed.stderr).toContain(
      `Rolled back to the previous ${UNIT_PATH}, the Podman secret paperclip-auth-secret; the previous version passes its checks again. The next pulumi up tries the new version again.`,
    );
    expect(failed.stderr).toContain(
      "Journal (journalctl --user -u paperclip.service -n 30):\nDec 03 12:00:01 host paperclip[42]: Error: connect",
    );
    // The host runs the old version again: unit file and secret (the config did not change, and stays).
    expect(host.file(UNIT_PATH)).toBe(unit("v1"));
    expect(host.secret("paperclip-auth-secret")).toBe("one");
    expect(host.file(CONFIG_PATH)).toBe("{}\n");

    // The next `pulumi up` (nothing written: the file commands succeeded) tries the new version again…
    const again = await host.runAsync(restartScript(check()));
    expect(again.status).toBe(1);
    expect(host.file(UNIT_PATH)).toBe(unit("v1"));
    // …and once it is healthy, it stays.
    host.unhealthyWhileUnitContains("");
    expect(await host.runAsync(restartScript(check()))).toMatchObject({ status: 0 });
    expect(host.file(UNIT_PATH)).toBe(unit("broken"));
    expect(host.secret("paperclip-auth-secret")).toBe("two");
    // A later failure of a change to the config alone rolls back the config alone.
    upstreamStatus = 502;
    const configFailure = await deploy({ config: '{"bad":true}\n' });
    expect(configFailure.stderr).toContain(`its route https://${HOSTNAME}/ answered HTTP 502 through Caddy`);
    expect(configFailure.stderr).toContain(`Rolled back to the previous ${CONFIG_PATH}; the previous version fails too`);
    expect(host.file(CONFIG_PATH)).toBe("{}\n");
    expect(host.file(UNIT_PATH)).toBe(unit("broken"));
  });

  it("a unit that is not active fails its check, with nothing to roll back when nothing of it changed", async () => {
    expect((await deploy({ unit: unit("v1"), config: "{}\n", secret: "one" })).status).toBe(0);
    host.setUnitState("paperclip.service", "failed");
    const result = await host.runAsync(restartScript(check()));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "paperclip.service failed its check after the update: the unit is failed, not active. Nothing of it changed in this update, so there is nothing to roll back to.",
    );
  });

  it("a brand-new unit that fails is removed again", async () => {
    host.setUnitState("paperclip.service", "activating");
    const result = await deploy({ unit: unit("v1"), config: "{}\n", secret: "one" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Rolled back to the previous ${UNIT_PATH} (new: removed)`);
    expect(host.file(UNIT_PATH)).toBeUndefined();
  });

  it("reports, without failing, a Caddy that does not answer yet (its own restart checks it)", async () => {
    const result = await deploy({ unit: unit("v1") }, check({ route: { hostname: HOSTNAME, address: "127.0.0.1:1" } }));
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("Caddy does not answer on 127.0.0.1:1 yet");
  });
});
