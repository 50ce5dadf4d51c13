/**
 * The policy pack in `check`: the recording of a stack goes through the pack's policies exactly as
 * `pulumi preview --policy-pack policy` would send it (every registration's inputs in the engine's
 * wire format, with parents and property dependencies), through @pulumi/policy's own analyzer
 * handlers. Mandatory violations fail the check; advisory ones are shown as warnings and do not;
 * a policy with nothing to say is listed as passed (or not applicable, with its reason), so the
 * table shows which policies ran and what they judged. A stack's pack configuration, if any, is
 * `policy/config/<stack>.json` — the file `pulumi preview --policy-pack-config` gets for it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Policies } from "@pulumi/policy";
import { PACK_NAME, POLICIES } from "../policy/policies";
import {
  analyzeStackReport,
  policyConfigProblems,
  type AnalyzerResource,
  type Diagnostic,
  type PolicyPackConfig,
} from "../policy/runAnalyzer";
import type { RecordingCheck } from "./checkStack";
import type { Recording } from "./engine/recordStack";
import type { ValidationResult } from "./validators";

const PACK_VERSION = (JSON.parse(readFileSync(join(__dirname, "../policy/package.json"), "utf8")) as { version: string }).version;

/** The recording as the engine hands it to an analyzer. */
export function analyzerResources(recording: Recording): AnalyzerResource[] {
  return recording.resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    properties: r.wireInputs,
    ...(r.parent ? { parent: r.parent } : {}),
    dependencies: r.dependencies,
    propertyDependencies: r.propertyDependencies,
    protect: r.protect,
  }));
}

/** `Command::harness-file-paperclip.container` for a URN; the stack for a stack-wide violation. */
function targetOf(diagnostic: Diagnostic, recording: Recording): string {
  const resource = diagnostic.urn ? recording.resources.find((r) => r.urn === diagnostic.urn) : undefined;
  if (!resource) return diagnostic.urn ?? `${recording.project}/${recording.stack}`;
  return `${resource.type.split(":").at(-1)}::${resource.name}`;
}

const ORDER: Record<ValidationResult["status"], number> = { failed: 0, warned: 1, skipped: 2, passed: 3 };

/** Runs policies on a recording and reports one result per violation, then one per quiet policy. */
export async function runPolicyPack(
  recording: Recording,
  policies: Policies = POLICIES,
  config?: PolicyPackConfig,
): Promise<ValidationResult[]> {
  const { diagnostics, notApplicable } = await analyzeStackReport(policies, analyzerResources(recording), {
    packName: PACK_NAME,
    packVersion: PACK_VERSION,
    ...(config ? { config } : {}),
  });
  const results: ValidationResult[] = diagnostics
    .filter((d) => d.level !== "disabled")
    .map((d) => ({
      validator: `policy:${d.policy}`,
      target: targetOf(d, recording),
      status: d.level === "advisory" ? "warned" : "failed",
      message: d.level === "advisory" ? `advisory: ${d.message}` : d.message,
    }));
  const reported = new Set(diagnostics.map((d) => d.policy));
  const reasons = new Map(notApplicable.map((n) => [n.policy, n.reason]));
  for (const policy of policies) {
    if (reported.has(policy.name) || policy.enforcementLevel === "disabled") continue;
    const reason = reasons.get(policy.name);
    results.push({
      validator: `policy:${policy.name}`,
      target: `${recording.project}/${recording.stack}`,
      status: "passed",
      message: reason === undefined ? "no violations" : `not applicable: ${reason}`,
    });
  }
  return results.sort((a, b) => ORDER[a.status] - ORDER[b.status]);
}

/** A stack's policy configuration, if it has one: what `--policy-pack-config` gets for that stack. */
export function policyConfigPath(stack: string): string {
  return join(__dirname, "../policy/config", `${stack}.json`);
}

/**
 * A stack's policy configuration: what `pulumi preview --policy-pack-config policy/config/<stack>.json`
 * applies. Undefined when the stack has none; the problems when the file is not valid for the pack.
 */
export function stackPolicyConfig(stack: string): { config?: PolicyPackConfig; problems: string[] } {
  const path = policyConfigPath(stack);
  if (!existsSync(path)) return { problems: [] };
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    return { problems: [(error as Error).message] };
  }
  const problems = policyConfigProblems(POLICIES, config);
  return problems.length > 0 ? { problems } : { config: config as PolicyPackConfig, problems: [] };
}

/** The pack on a recording, with the stack's own policy configuration (as `check` runs it). */
export async function runStackPolicyPack(recording: Recording, override?: PolicyPackConfig): Promise<ValidationResult[]> {
  const { config, problems } = stackPolicyConfig(recording.stack);
  if (problems.length > 0) {
    return [
      { validator: "policy-config", target: `policy/config/${recording.stack}.json`, status: "failed", message: problems.join("\n") },
    ];
  }
  return runPolicyPack(recording, POLICIES, override ? mergePolicyConfig(config ?? {}, override) : config);
}

/** Per policy: a bare level in `override` changes only the level, keeping the base's settings. */
function mergePolicyConfig(base: PolicyPackConfig, override: PolicyPackConfig): PolicyPackConfig {
  const merged: Record<string, unknown> = { ...base };
  for (const [policy, value] of Object.entries(override)) {
    const current = base[policy];
    const asObject = (v: unknown) => (typeof v === "string" ? { enforcementLevel: v } : ((v as Record<string, unknown> | undefined) ?? {}));
    merged[policy] = current === undefined ? value : { ...asObject(current), ...asObject(value) };
  }
  return merged as PolicyPackConfig;
}

export const policyPackCheck: RecordingCheck = (plan) => runStackPolicyPack(plan.recording);
