/**
 * `verify` for the fly stack: the app's machine is started and every one of its health checks passes
 * now (Fly's Machines API, read-only, with the operator's Fly token). `flyctl deploy` already waits
 * for the checks of the machines it updates (docs/upgrades.md); verify asks again, later.
 */
import type { RecordedResource } from "../engine/RecordingMonitor";
import { isSecretEnvelope } from "../engine/redact";
import { type Machine, MACHINES_SCHEMA } from "./flyApi";
import { shapeProblems } from "./apiShapes";
import type { Drift } from "./hostProbe";

/** The Fly app the plan deploys: FLY_APP of its deploy command (components/fly/FlyApp.ts). */
export function expectedFlyApp(resources: readonly RecordedResource[]): string | undefined {
  const deploy = resources.find(
    (r) => r.type === "command:local:Command" && r.name.endsWith("-deploy") && r.urn.includes("harness:fly:FlyApp$"),
  );
  // The environment is one secret envelope (it holds the API token); only the app's name is read.
  const environment = isSecretEnvelope(deploy?.inputs.environment) ? deploy.inputs.environment.value : deploy?.inputs.environment;
  const app = (environment as { FLY_APP?: unknown } | undefined)?.FLY_APP;
  return typeof app === "string" ? app : undefined;
}

export interface FlyAccess {
  token: string;
  /** Default: FLY_MACHINES_API (flyApi.ts). */
  apiBase: string;
}

export async function verifyFly(app: string, access: FlyAccess): Promise<Drift[]> {
  const path = `/apps/${encodeURIComponent(app)}/machines`;
  const apiFailure = (found: string): Drift[] => [
    {
      what: "Fly's Machines API",
      found: `GET ${path}: ${found}`,
      fix: "FLY_API_TOKEN must be a token that reads this app (fly tokens create readonly)",
    },
  ];
  let response: Response;
  try {
    response = await fetch(`${access.apiBase}${path}`, {
      headers: { authorization: `Bearer ${access.token}`, accept: "application/json" },
    });
  } catch (error) {
    return apiFailure((error as Error).message);
  }
  const body = (await response.json().catch(() => undefined)) as unknown;
  if (!response.ok) {
    const error = (body as { error?: string } | undefined)?.error;
    return apiFailure(`HTTP ${response.status}${error ? ` (${error})` : ""}`);
  }
  const problems = shapeProblems(MACHINES_SCHEMA, body);
  if (problems.length > 0) return apiFailure(`an answer of an unexpected shape (${problems.slice(0, 3).join("; ")})`);
  const machines = (body as Machine[]).filter((m) => m.state !== "destroyed");
  if (machines.length === 0)
    return [{ what: `Fly app ${app}`, found: "has no machine", fix: `pulumi up --stack fly deploys one (flyctl deploy)` }];
  const drift: Drift[] = [];
  for (const machine of machines) {
    const label = `Fly machine ${machine.name ?? machine.id} (${machine.id}${machine.region ? `, ${machine.region}` : ""})`;
    if (machine.state !== "started")
      drift.push({
        what: label,
        found: `is ${machine.state}`,
        fix: `flyctl machine start ${machine.id} --app ${app}; flyctl logs --app ${app}`,
      });
    const checks = machine.checks ?? [];
    if (checks.length === 0 && machine.state === "started")
      drift.push({
        what: `health checks of ${label}`,
        found: "none reported (fly.toml defines one)",
        fix: `flyctl checks list --app ${app}; pulumi up --stack fly redeploys fly.toml`,
      });
    for (const check of checks.filter((c) => c.status !== "passing"))
      drift.push({
        what: `health check ${check.name ?? "(unnamed)"} of ${label}`,
        found: `${check.status ?? "no status"}${check.output ? `: ${check.output.trim().split("\n").slice(-2).join(" | ")}` : ""}`,
        fix: `flyctl checks list --app ${app}; flyctl logs --app ${app}; a failing check does not restart the machine: flyctl machine restart ${machine.id} --app ${app} once the cause is fixed`,
      });
  }
  return drift;
}
