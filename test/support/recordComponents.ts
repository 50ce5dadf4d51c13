/**
 * Records what a piece of the program registers, with the same offline mocks and recording monitor
 * the whole-stack engine uses (cli/engine): components are tested exactly as `plan` records them.
 */
import { recordProgram, type ProgramRecording } from "../../cli/engine/recordProgram";
import type { RecordedResource } from "../../cli/engine/RecordingMonitor";
import { isSecretEnvelope } from "../../cli/engine/redact";

export type ComponentRecording = ProgramRecording;

/** Runs `declare` as a Pulumi program under the offline mocks (preview) and returns every registration. */
export function recordComponents(declare: () => Record<string, unknown> | void, stack = "test"): Promise<ComponentRecording> {
  return recordProgram(declare, { project: "paperclip-harness", stack });
}

/** The value with every secret envelope opened (for asserting on what a secret holds). */
export function unsecret(value: unknown): unknown {
  if (isSecretEnvelope(value)) return unsecret(value.value);
  if (Array.isArray(value)) return value.map(unsecret);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unsecret(v)]));
  }
  return value;
}

export function isSecret(value: unknown): boolean {
  return isSecretEnvelope(value);
}

/** The one resource of a type and name; throws when there is not exactly one. */
export function resourceNamed(resources: readonly RecordedResource[], name: string, type?: string): RecordedResource {
  const found = resources.filter((r) => r.name === name && (type === undefined || r.type === type));
  if (found.length !== 1) throw new Error(`expected one resource named ${name}${type ? ` of type ${type}` : ""}, found ${found.length}`);
  return found[0]!;
}

export function resourcesOfType(resources: readonly RecordedResource[], type: string): RecordedResource[] {
  return resources.filter((r) => r.type === type);
}

/** Type tokens of the Cloudflare v6 classes the edge uses (the deprecated classes have other tokens). */
export const CF = {
  tunnel: "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared",
  tunnelConfig: "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig",
  dnsRecord: "cloudflare:index/dnsRecord:DnsRecord",
  accessApplication: "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication",
  accessPolicy: "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy",
  queue: "cloudflare:index/queue:Queue",
  queueConsumer: "cloudflare:index/queueConsumer:QueueConsumer",
  d1Database: "cloudflare:index/d1Database:D1Database",
  workersScript: "cloudflare:index/workersScript:WorkersScript",
  workersCronTrigger: "cloudflare:index/workersCronTrigger:WorkersCronTrigger",
  workersScriptSubdomain: "cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain",
  workersCustomDomain: "cloudflare:index/workersCustomDomain:WorkersCustomDomain",
  accessServiceToken: "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken",
} as const;
