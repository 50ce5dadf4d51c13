/**
 * What one revision hands the diff about one stack: the plan with secrets fingerprinted, the
 * rendered artifacts, the policy results, and the secret values the recording fabricated (so the
 * diff can prove none of them reaches its Markdown). Each revision is planned in its own process,
 * in its own checkout, with its own module tree; this JSON document is the only thing that crosses.
 *
 *   parent (diff)  ──PAPERCLIP_HARNESS_DIFF_KEY──►  child: tsx cli/main.ts plan --json-out <dir> [stack…]
 *                  ◄──────── <dir>/<stack>.json ──  (one PlanExport per stack)
 */
import { readFileSync } from "node:fs";
import { ConfigError } from "../../infra/config";
import { RECORDING_CHECKS } from "../checkStack";
import type { Artifact } from "../engine/artifacts";
import { type PlanDocument, planDocument } from "../engine/planDocument";
import { secretFingerprinter } from "../engine/redact";
import type { StackPlan } from "../planStack";
import type { ValidationResult } from "../validators";

/** Bumped whenever the shape below changes: a parent refuses exports of another format. */
export const PLAN_EXPORT_FORMAT = "paperclip-harness/plan-export@1";

/**
 * The environment variable that carries the fingerprint key from the diff to both children. The
 * key is random per diff run, so a fingerprint means nothing outside that run.
 */
export const DIFF_KEY_ENV = "PAPERCLIP_HARNESS_DIFF_KEY";

export interface PolicyOutcome {
  /** How many recording checks (policy packs) this revision registers. */
  checks: number;
  results: ValidationResult[];
}

export interface PlannedStackExport {
  format: typeof PLAN_EXPORT_FORMAT;
  ok: true;
  project: string;
  stack: string;
  /** Secrets appear as `[secret:<hmac>]` under the run's key. */
  plan: PlanDocument;
  artifacts: Artifact[];
  policies: PolicyOutcome;
  /**
   * Every secret value the recording fabricated or read from config stand-ins. Never rendered: the
   * diff scans its output for each of them and refuses to write a document that contains one.
   */
  secretValues: string[];
}

export interface FailedStackExport {
  format: typeof PLAN_EXPORT_FORMAT;
  ok: false;
  stack: string;
  /** What planning the stack said (a ConfigError's message, or the error's first lines). */
  error: string;
}

export type PlanExport = PlannedStackExport | FailedStackExport;

/** Runs the revision's recording checks (its policy pack) and builds the export. */
export async function exportStackPlan(stackPlan: StackPlan, fingerprintKey: string): Promise<PlannedStackExport> {
  const results: ValidationResult[] = [];
  for (const check of RECORDING_CHECKS) results.push(...(await check(stackPlan)));
  const { recording } = stackPlan;
  return {
    format: PLAN_EXPORT_FORMAT,
    ok: true,
    project: recording.project,
    stack: recording.stack,
    plan: planDocument(recording, { fingerprint: secretFingerprinter(fingerprintKey) }),
    artifacts: stackPlan.artifacts,
    policies: { checks: RECORDING_CHECKS.length, results },
    secretValues: [...new Set([...recording.producedSecrets, ...recording.secretConfigValues])].filter((v) => v.length > 0),
  };
}

export function failedStackExport(stack: string, error: unknown): FailedStackExport {
  const message = ConfigError.isConfigError(error)
    ? error.message
    : error instanceof Error
      ? (error.stack ?? error.message).split("\n").slice(0, 8).join("\n")
      : String(error);
  return { format: PLAN_EXPORT_FORMAT, ok: false, stack, error: message };
}

/** Reads an export a child wrote, refusing one of another format or for another stack. */
export function readPlanExport(file: string, stack: string): PlanExport {
  const document = JSON.parse(readFileSync(file, "utf8")) as Partial<PlanExport>;
  if (document.format !== PLAN_EXPORT_FORMAT) {
    throw new Error(`${file}: expected a plan export of format ${PLAN_EXPORT_FORMAT}, found ${JSON.stringify(document.format)}`);
  }
  if (document.stack !== stack) throw new Error(`${file}: export is for stack ${JSON.stringify(document.stack)}, expected ${stack}`);
  return document as PlanExport;
}
