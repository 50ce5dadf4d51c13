/**
 * `verify` for the Kubernetes targets (homelab, sealos): every Deployment and StatefulSet the plan
 * creates is ready now, no Job has failed, and the first-admin Job's result is read back from its
 * pod's log (an invite printed, or an admin exists). `pulumi up` already awaited each of these once
 * (@pulumi/kubernetes' own await, docs/upgrades.md); verify asks again, later, read-only.
 */
import type { RecordedResource } from "../engine/RecordingMonitor";
import { plainValue } from "../engine/redact";
import { PAPERCLIP_BOOTSTRAP } from "../../components/paperclip/paperclipSettings";
import type { Drift } from "./hostProbe";
import { kubeGet, type KubeTarget } from "./kubeApi";

export interface ExpectedWorkload {
  kind: "Deployment" | "StatefulSet" | "Job";
  namespace: string;
  name: string;
  /** The first-admin Job (components/kubernetes/PaperclipBootstrapJob.ts). */
  firstAdmin?: boolean;
}

const KINDS: Record<string, ExpectedWorkload["kind"]> = {
  "kubernetes:apps/v1:Deployment": "Deployment",
  "kubernetes:apps/v1:StatefulSet": "StatefulSet",
  "kubernetes:batch/v1:Job": "Job",
};
const API: Record<ExpectedWorkload["kind"], string> = { Deployment: "apis/apps/v1", StatefulSet: "apis/apps/v1", Job: "apis/batch/v1" };

export function expectedWorkloads(resources: readonly RecordedResource[]): ExpectedWorkload[] {
  return resources.flatMap((resource) => {
    const kind = KINDS[resource.type];
    const metadata = plainValue(resource.inputs.metadata) as { name?: unknown; namespace?: unknown } | undefined;
    if (kind === undefined || typeof metadata?.name !== "string") return [];
    const namespace = typeof metadata.namespace === "string" ? metadata.namespace : "default";
    const firstAdmin = kind === "Job" && resource.urn.includes("harness:kubernetes:PaperclipBootstrapJob$");
    return [{ kind, namespace, name: metadata.name, ...(firstAdmin ? { firstAdmin } : {}) }];
  });
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface Workload {
  metadata: { generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    succeeded?: number;
    failed?: number;
    active?: number;
    conditions?: Condition[];
  };
}

export interface KubernetesReport {
  drift: Drift[];
  /** What verify read back that is not drift: the first-admin Job's result. */
  notes: string[];
}

class ApiFailure extends Error {}

async function getJson<T>(target: KubeTarget, path: string): Promise<T | undefined> {
  let answer;
  try {
    answer = await kubeGet(target, path);
  } catch (error) {
    throw new ApiFailure(`GET /${path}: ${(error as Error).message}`);
  }
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) {
    const message = (answer.body as { message?: string } | undefined)?.message;
    throw new ApiFailure(`GET /${path}: HTTP ${answer.status}${message ? ` (${message})` : ""}`);
  }
  return answer.body as T;
}

const condition = (w: Workload, type: string) => w.status?.conditions?.find((c) => c.type === type && c.status === "True");

/** Why a Deployment or StatefulSet is not ready, or undefined when it is (the same tests as Pulumi's await). */
function notReady(kind: "Deployment" | "StatefulSet", w: Workload): string | undefined {
  const wanted = w.spec?.replicas ?? 1;
  const s = w.status ?? {};
  const counts = `${s.readyReplicas ?? 0} of ${wanted} ready`;
  if ((s.observedGeneration ?? 0) < (w.metadata.generation ?? 0))
    return `${counts}; the controller has not seen generation ${w.metadata.generation} yet`;
  if (kind === "Deployment") {
    const progressing = w.status?.conditions?.find((c) => c.type === "Progressing");
    if ((s.updatedReplicas ?? 0) < wanted || (s.readyReplicas ?? 0) < wanted || !condition(w, "Available"))
      return `${counts}${progressing?.reason ? ` (${progressing.reason}${progressing.message ? `: ${progressing.message}` : ""})` : ""}`;
    return undefined;
  }
  if ((s.readyReplicas ?? 0) < wanted) return counts;
  if (s.currentRevision !== s.updateRevision) return `${counts}; rollout to ${s.updateRevision} not finished (at ${s.currentRevision})`;
  return undefined;
}

export async function verifyKubernetes(expected: readonly ExpectedWorkload[], target: KubeTarget): Promise<KubernetesReport> {
  const drift: Drift[] = [];
  const notes: string[] = [];
  try {
    for (const workload of expected) {
      const { kind, namespace, name } = workload;
      const ref = `${kind.toLowerCase()}/${name}`;
      const kubectl = `kubectl --context ${target.context} -n ${namespace}`;
      const path = `${API[kind]}/namespaces/${encodeURIComponent(namespace)}/${kind.toLowerCase()}s/${encodeURIComponent(name)}`;
      const found = await getJson<Workload>(target, path);
      if (kind !== "Job") {
        const why = found === undefined ? "missing" : notReady(kind, found);
        if (why !== undefined)
          drift.push({
            what: `${kind} ${namespace}/${name}`,
            found: why,
            fix:
              found === undefined
                ? `pulumi refresh, then pulumi up (it was deleted outside Pulumi)`
                : `${kubectl} rollout status ${ref}; ${kubectl} describe ${ref}; ${kubectl} logs ${ref} --tail 50`,
          });
        continue;
      }
      if (found === undefined) {
        // A finished Job is removed by its TTL (the first-admin Job a week after it finished, once the
        // weekly renewal CronJob has replaced its invite; verify does not read the CronJob's runs).
        if (workload.firstAdmin) notes.push(`first-admin Job ${namespace}/${name}: gone (removed by its TTL after it finished)`);
        continue;
      }
      const failed = condition(found, "Failed");
      const log = workload.firstAdmin || failed ? await jobLog(target, namespace, name) : undefined;
      if (failed) {
        drift.push({
          what: `Job ${namespace}/${name}`,
          found: `failed (${failed.reason ?? "Failed"}${failed.message ? `: ${failed.message}` : ""})${log ? `; its log ends: ${lastLines(log)}` : ""}`,
          fix: `${kubectl} logs job/${name}; fix the cause, then ${kubectl} delete job/${name} and pulumi up runs it again`,
        });
        continue;
      }
      if (!workload.firstAdmin) continue;
      if (!condition(found, "Complete")) {
        drift.push({
          what: `first-admin Job ${namespace}/${name}`,
          found: `not finished (${found.status?.active ?? 0} running)`,
          fix: `${kubectl} logs -f job/${name}`,
        });
        continue;
      }
      const invite = log?.split("\n").find((line) => line.includes(PAPERCLIP_BOOTSTRAP.inviteLine));
      if (invite !== undefined) notes.push(`first-admin Job ${namespace}/${name}: printed an invite (${invite.trim()})`);
      else if (log?.includes(PAPERCLIP_BOOTSTRAP.adminExistsLine))
        notes.push(`first-admin Job ${namespace}/${name}: Paperclip already has an admin`);
      else
        drift.push({
          what: `first-admin Job ${namespace}/${name}`,
          found: log === undefined ? "succeeded, but its pod's log is gone" : `succeeded without an invite or an admin: ${lastLines(log)}`,
          fix: `${kubectl} delete job/${name}, then pulumi up runs it again and prints a new invite`,
        });
    }
  } catch (error) {
    if (!(error instanceof ApiFailure)) throw error;
    drift.push({
      what: `the Kubernetes API (context ${target.context})`,
      found: error.message,
      fix: "KUBECONFIG must name a kubeconfig whose current context reads Deployments, StatefulSets, Jobs, Pods and pods/log in the stack's namespace",
    });
  }
  return { drift, notes };
}

const lastLines = (log: string) => log.trim().split("\n").slice(-3).join(" | ");

/** The log of the Job's newest pod, or undefined when it has none left. */
async function jobLog(target: KubeTarget, namespace: string, job: string): Promise<string | undefined> {
  const ns = encodeURIComponent(namespace);
  const pods = await getJson<{ items: { metadata: { name: string; creationTimestamp?: string } }[] }>(
    target,
    `api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`job-name=${job}`)}`,
  );
  const newest = [...(pods?.items ?? [])]
    .sort((a, b) => (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? ""))
    .at(-1);
  if (newest === undefined) return undefined;
  const answer = await kubeGet(target, `api/v1/namespaces/${ns}/pods/${encodeURIComponent(newest.metadata.name)}/log?tailLines=50`).catch(
    () => undefined,
  );
  return answer?.status === 200 && typeof answer.body === "string" ? answer.body : undefined;
}
