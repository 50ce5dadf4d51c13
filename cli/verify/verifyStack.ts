/**
 * `npm run verify -- <stack>`: every check the plan calls for, each with the operator's own
 * credentials, read-only: the fedora host over SSH (files, units, health checks, routes through
 * Caddy, Paperclip's probe, backups), the Cloudflare edge, the Kubernetes workloads, the Fly machine.
 * A check whose credential is missing is one drift saying which to set, never a silent pass.
 */
import type { RecordedResource } from "../engine/RecordingMonitor";
import { CLOUDFLARE_API } from "./cloudflareApi";
import { FLY_MACHINES_API } from "./flyApi";
import type { Drift } from "./hostProbe";
import { readKubeconfig } from "./kubeApi";
import { expectedEdge, verifyCloudflare } from "./verifyCloudflare";
import { sshTargetOf, verifyFedoraHost } from "./verifyFedora";
import { expectedFlyApp, verifyFly } from "./verifyFly";
import { expectedWorkloads, verifyKubernetes } from "./verifyKubernetes";

export interface VerifyCredentials {
  /** HARNESS_SSH_IDENTITY: a private key file; without it, ssh's agent and configuration. */
  sshIdentity?: string;
  /** CLOUDFLARE_API_TOKEN. */
  cloudflareToken?: string;
  /** FLY_API_TOKEN. */
  flyToken?: string;
  /** --kubeconfig; without it $KUBECONFIG or ~/.kube/config. */
  kubeconfig?: string;
  /** Defaults: the real endpoints (cloudflareApi.ts, flyApi.ts). */
  cloudflareApi?: string;
  flyApi?: string;
}

export interface VerifyReport {
  /** What was checked, in order: "host", "cloudflare", "kubernetes", "fly". */
  checked: string[];
  drift: Drift[];
  notes: string[];
}

const unset = (variable: string, what: string): Drift => ({
  what,
  found: `not checked: ${variable} is not set`,
  fix: `set ${variable} to a read-only credential and run verify again (docs/upgrades.md)`,
});

export async function verifyStack(
  resources: readonly RecordedResource[],
  stack: string,
  credentials: VerifyCredentials,
): Promise<VerifyReport> {
  const report: VerifyReport = { checked: [], drift: [], notes: [] };

  const ssh = sshTargetOf(resources);
  if (ssh !== undefined) {
    report.checked.push("host");
    report.drift.push(
      ...(await verifyFedoraHost(
        resources,
        { ...ssh, ...(credentials.sshIdentity ? { identityFile: credentials.sshIdentity } : {}) },
        stack,
      )),
    );
  }

  const edge = expectedEdge(resources);
  if (edge !== undefined) {
    report.checked.push("cloudflare");
    if (!credentials.cloudflareToken) report.drift.push(unset("CLOUDFLARE_API_TOKEN", "the Cloudflare edge"));
    else
      report.drift.push(
        ...(await verifyCloudflare(
          edge,
          { token: credentials.cloudflareToken, apiBase: credentials.cloudflareApi ?? CLOUDFLARE_API },
          stack,
        )),
      );
  }

  const workloads = expectedWorkloads(resources);
  if (workloads.length > 0) {
    report.checked.push("kubernetes");
    let target;
    try {
      target = readKubeconfig(credentials.kubeconfig);
    } catch (error) {
      report.drift.push({
        what: "the kubeconfig",
        found: (error as Error).message,
        fix: "pass --kubeconfig <file> (or set KUBECONFIG) with a context that reads the stack's namespace",
      });
    }
    if (target !== undefined) {
      const kubernetes = await verifyKubernetes(workloads, target);
      report.drift.push(...kubernetes.drift);
      report.notes.push(...kubernetes.notes);
    }
  }

  const flyApp = expectedFlyApp(resources);
  if (flyApp !== undefined) {
    report.checked.push("fly");
    if (!credentials.flyToken) report.drift.push(unset("FLY_API_TOKEN", `the Fly app ${flyApp}`));
    else report.drift.push(...(await verifyFly(flyApp, { token: credentials.flyToken, apiBase: credentials.flyApi ?? FLY_MACHINES_API })));
  }
  return report;
}

export function formatReport(stack: string, report: VerifyReport): string {
  const checked = report.checked.length > 0 ? ` (checked: ${report.checked.join(", ")})` : "";
  const notes = report.notes.map((note) => `note: ${note}`);
  if (report.checked.length === 0) return `verify ${stack}: the plan has nothing verify can check`;
  if (report.drift.length === 0) return [`verify ${stack}: no drift${checked}`, ...notes].join("\n");
  return [
    `verify ${stack}: ${report.drift.length} drift${report.drift.length > 1 ? "s" : ""}${checked}`,
    ...report.drift.map((d) => `- ${d.what}: ${d.found}\n  fix: ${d.fix}`),
    ...notes,
  ].join("\n");
}
