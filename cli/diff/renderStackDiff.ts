/**
 * One stack's pull-request comment: the hidden marker, a summary line with counts, policy results,
 * then one collapsible entry per changed resource with its property changes and its rendered files
 * as unified diffs. Pure: two plan exports in, Markdown out.
 *
 * Secrets: plans hold them as `[secret:<hmac>]`; the fingerprint only tells "changed" from
 * "unchanged" and is never printed. A value that is secret on either side is hidden on both
 * (pulumi/pulumi#4957: a raw diff showed the old value of a field that had become secret).
 *
 * Size: the summary and the policy results are always kept; when the whole document exceeds the
 * budget, resource details are cut from the end (the most consequential kinds come first), then
 * resources are listed by name only, and the document says what it cut.
 */
import type { Artifact } from "../engine/artifacts";
import { type ChangeKind, diffPlans, type PropertyChange, type ResourceChange } from "../engine/planDiff";
import type { PlannedResource } from "../engine/planDocument";
import { redactedSecret } from "../engine/redact";
import type { ValidationResult } from "../validators";
import { commentMarker } from "./marker";
import { clip, clipLines, code, escapeInline, fenced } from "./markdown";
import type { PlanExport, PlannedStackExport } from "./planExport";
import { unifiedDiff } from "./unifiedDiff";

/** GitHub refuses issue and pull-request comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** What a document aims for: the limit less a margin. */
export const DEFAULT_BUDGET = 60_000;
/** One file diff or multi-line value inside an entry. */
const BLOCK_LIMIT = 8_000;
/** One value in a table cell. */
const VALUE_LIMIT = 160;

export interface RevisionSide {
  /** How the revision is named in the document, e.g. "main @ 1a2b3c4". */
  label: string;
  /** The stack's export, or undefined when the revision has no such stack. */
  plan?: PlanExport;
}

export interface StackDiffInput {
  project: string;
  stack: string;
  base: RevisionSide;
  head: RevisionSide;
  /** Caveats printed under the summary (e.g. dependencies that differ between the revisions). */
  notes?: readonly string[];
}

export interface RenderOptions {
  /** Maximum length of the document (characters). Default DEFAULT_BUDGET. */
  budget?: number;
}

export interface ChangeCounts {
  create: number;
  update: number;
  replace: number;
  delete: number;
  unchanged: number;
}

export interface StackDiffDocument {
  project: string;
  stack: string;
  /** Undefined when the head does not plan. */
  counts?: ChangeCounts;
  /** The comment: within the budget. */
  markdown: string;
  /** The same document untrimmed. */
  full: string;
  trimmed: boolean;
  /** One plain line for a terminal. */
  summary: string;
  /** The head revision failed to plan this stack. */
  headFailed: boolean;
}

const SYMBOL: Record<ChangeKind, string> = { create: "+", update: "~", replace: "+-", delete: "-" };
/** Entries are listed most consequential first. */
const KIND_ORDER: readonly ChangeKind[] = ["replace", "delete", "update", "create"];

export function renderStackDiff(input: StackDiffInput, options: RenderOptions = {}): StackDiffDocument {
  const budget = options.budget ?? DEFAULT_BUDGET;
  const { base, head } = input;
  const basePlan = base.plan?.ok ? base.plan : undefined;
  const headPlan = head.plan?.ok ? head.plan : undefined;
  const title = `${input.project}/${input.stack}`;
  const top: string[] = [commentMarker(input.project, input.stack)];
  const revisions = `<sub>Base ${code(base.label)} → head ${code(head.label)}. Planned offline by <code>npm run diff</code> (no cloud, no credentials); secrets are masked: a changed secret shows as changed, never its value.</sub>`;

  if (head.plan && !head.plan.ok) {
    top.push(
      `### ${code(title)}: the head revision does not plan`,
      "",
      revisions,
      "",
      "Planning this stack at the head revision failed:",
      "",
      block(head.plan.error, ""),
    );
    const markdown = `${top.join("\n")}\n`;
    return {
      project: input.project,
      stack: input.stack,
      markdown,
      full: markdown,
      trimmed: false,
      summary: `${input.stack}: the head revision does not plan`,
      headFailed: true,
    };
  }

  // Compare against the base's plan; a base without the stack (or failing to plan it) compares as empty.
  const empty = { project: input.project, stack: input.stack, resources: [], outputs: {} };
  const changes = diffPlans(basePlan?.plan ?? empty, headPlan?.plan ?? empty);
  const counts: ChangeCounts = { create: 0, update: 0, replace: 0, delete: 0, unchanged: 0 };
  for (const change of changes) counts[change.kind]++;
  counts.unchanged = (headPlan?.plan.resources.length ?? 0) - counts.create - counts.update - counts.replace;
  const changed = changes.length;

  top.push(
    `### ${code(title)}: ${changed === 0 ? "no changes" : `${changed} resource${changed === 1 ? "" : "s"} change${changed === 1 ? "s" : ""}`}`,
    "",
  );
  top.push(changed === 0 ? `No changes: ${counts.unchanged} resources unchanged.` : summaryLine(counts), "", revisions, "");

  const notes = [...(input.notes ?? [])];
  if (!head.plan)
    notes.push(`The head revision has no \`stacks/Pulumi.${input.stack}.yaml\`: destroying the stack would delete every resource below.`);
  else if (!base.plan) notes.push("The stack is new: the base revision has no such stack, so every resource below is created.");
  for (const note of notes) top.push(`> ${note}`, "");
  if (base.plan && !base.plan.ok) {
    top.push(
      "> **The base revision does not plan this stack**, so nothing could be compared: every resource is listed as created. Planning failed with:",
      "",
      block(base.plan.error, ""),
      "",
    );
  }

  top.push(renderPolicies(basePlan, headPlan), "");

  const entries = orderChanges(changes).map((change) => renderEntry(change, basePlan, headPlan));
  const full = assemble(top, entries, Number.POSITIVE_INFINITY).text;
  const { text: markdown, trimmed } = assemble(top, entries, budget);
  return {
    project: input.project,
    stack: input.stack,
    counts,
    markdown,
    full,
    trimmed,
    summary: `${input.stack}: ${changed === 0 ? "no changes" : plainSummary(counts)}`,
    headFailed: false,
  };
}

function summaryLine(counts: ChangeCounts): string {
  const part = (kind: ChangeKind) => `<code>${SYMBOL[kind]}</code> ${counts[kind]} to ${kind}`;
  return `**${part("create")} · ${part("update")} · ${part("replace")} · ${part("delete")}** · ${counts.unchanged} unchanged`;
}

function plainSummary(counts: ChangeCounts): string {
  return `${SYMBOL.create} ${counts.create} to create, ${SYMBOL.update} ${counts.update} to update, ${SYMBOL.replace} ${counts.replace} to replace, ${SYMBOL.delete} ${counts.delete} to delete, ${counts.unchanged} unchanged`;
}

// ---------------------------------------------------------------------------------------------
// Policies

function renderPolicies(base: PlannedStackExport | undefined, head: PlannedStackExport | undefined): string {
  const lines = ["#### Policies", ""];
  if (!head) {
    lines.push("No policy results: the head revision has no such stack.");
    return lines.join("\n");
  }
  if (head.policies.checks === 0) {
    lines.push("No policy checks ran: this revision registers no policy pack with the offline engine.");
    return lines.join("\n");
  }
  const key = (r: ValidationResult) => `${r.validator}\u0000${r.target}`;
  const baseFailures = new Set((base?.policies.results ?? []).filter((r) => r.status === "failed").map(key));
  const results = head.policies.results;
  const failed = results.filter((r) => r.status === "failed");
  const skipped = results.filter((r) => r.status === "skipped");
  const passed = results.filter((r) => r.status === "passed").length;
  const headFailures = new Set(failed.map(key));
  const fixed = (base?.policies.results ?? []).filter((r) => r.status === "failed" && !headFailures.has(key(r)));

  if (failed.length === 0 && skipped.length === 0) {
    lines.push(`No policy violations (${passed} passed).`);
  } else {
    const fresh = failed.filter((r) => !baseFailures.has(key(r))).length;
    lines.push(
      `**${failed.length} violation${failed.length === 1 ? "" : "s"}**${base ? ` (${fresh} new in this change)` : ""}, ${skipped.length} skipped, ${passed} passed.`,
      "",
      "| Result | Policy | Resource | Message |",
      "|---|---|---|---|",
    );
    for (const result of [...failed, ...skipped]) {
      const status = result.status === "failed" ? (base && !baseFailures.has(key(result)) ? "**failed** (new)" : "**failed**") : "skipped";
      lines.push(
        `| ${status} | ${code(result.validator)} | ${code(clip(result.target, 120))} | ${escapeInline(clip(result.message, 600))} |`,
      );
    }
  }
  if (fixed.length > 0) {
    lines.push("", `Fixed by this change: ${fixed.map((r) => `${code(r.validator)} on ${code(clip(r.target, 120))}`).join(", ")}.`);
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Resources

interface Entry {
  /** Details: a `<details>` block (or a list item when there is nothing to detail). */
  full: Part;
  /** The resource by name only, one list item. */
  compact: Part;
}

interface Part {
  text: string;
  /** List items are joined by one newline; blocks by a blank line. */
  item: boolean;
}

function orderChanges(changes: readonly ResourceChange[]): ResourceChange[] {
  return [...changes].sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.type.localeCompare(b.type) || a.name.localeCompare(b.name),
  );
}

function headline(change: ResourceChange): string {
  return `<code>${SYMBOL[change.kind]}</code> ${change.kind} ${code(change.type)} ${code(change.name)}`;
}

function topLevelKeys(paths: readonly string[]): string[] {
  return [...new Set(paths.map((p) => /^[^.[]+|^\[[^\]]*\]/.exec(p)?.[0] ?? p))];
}

function changedKeys(change: ResourceChange): string {
  const keys = topLevelKeys(change.paths);
  if (keys.length === 0) return "";
  const shown = keys.slice(0, 3).map((k) => code(k));
  return ` · ${shown.join(", ")}${keys.length > 3 ? ` +${keys.length - 3}` : ""}`;
}

function artifactsOf(plan: PlannedStackExport | undefined, urn: string): Artifact[] {
  return (plan?.artifacts ?? []).filter((a) => a.resource === urn);
}

function renderEntry(change: ResourceChange, base: PlannedStackExport | undefined, head: PlannedStackExport | undefined): Entry {
  const compact: Part = { text: `- ${headline(change)}${changedKeys(change)}`, item: true };
  const before = change.kind === "create" ? [] : artifactsOf(base, change.urn);
  const after = change.kind === "delete" ? [] : artifactsOf(head, change.urn);
  const body: string[] = [];

  if (change.kind === "replace") {
    body.push(`Replaced because ${change.replaceTriggers.map((p) => code(p)).join(", ")} changed.`);
  }
  body.push(...renderArtifactChanges(before, after, change.kind));
  const fileContents = new Set([...before, ...after].map((a) => a.content));
  if (change.kind === "update" || change.kind === "replace") body.push(...renderPropertyChanges(change.properties, fileContents));
  if (change.kind === "create") body.push(...renderInputs(change.resource, fileContents));

  if (body.length === 0) {
    const what = change.resource.custom ? "" : " (component)";
    return { full: { text: `- ${headline(change)}${what}`, item: true }, compact };
  }
  const text = [`<details><summary>${headline(change)}${changedKeys(change)}</summary>`, ...body, "</details>"].join("\n\n");
  return { full: { text, item: false }, compact };
}

function renderArtifactChanges(before: readonly Artifact[], after: readonly Artifact[], kind: ChangeKind): string[] {
  const paths = [...new Set([...before, ...after].map((a) => a.path))].sort();
  return paths.flatMap((path) => {
    const old = before.find((a) => a.path === path);
    const now = after.find((a) => a.path === path);
    if (kind === "delete" || !now) return [`Removes the file ${code(path)} (${lineCount(old?.content ?? "")} lines).`];
    const diff = unifiedDiff(old?.content ?? "", now.content, { before: old ? `a/${path}` : "/dev/null", after: `b/${path}` });
    if (diff === "") return [];
    return [`${old ? "File" : "New file"} ${code(path)}:\n\n${block(diff, "diff")}`];
  });
}

function renderPropertyChanges(properties: readonly PropertyChange[], fileContents: ReadonlySet<string>): string[] {
  const rows: string[] = [];
  const blocks: string[] = [];
  for (const property of properties) {
    const { before, after } = property;
    const secret = redactedSecret(before) !== undefined || redactedSecret(after) !== undefined;
    const multiline = !secret && [before, after].some((v) => typeof v === "string" && v.includes("\n"));
    if (multiline && [before, after].every((v) => v === undefined || typeof v === "string")) {
      // A rendered file's text is shown once, as the file's diff above.
      if (fileContents.has(String(after)) || fileContents.has(String(before))) continue;
      const diff = unifiedDiff((before as string | undefined) ?? "", (after as string | undefined) ?? "", {
        before: `a/${property.path}`,
        after: `b/${property.path}`,
      });
      blocks.push(`${code(property.path)}:\n\n${block(diff, "diff")}`);
      continue;
    }
    rows.push(
      `| ${code(property.path)} | ${secret ? secretCell(before, "before", after) : cell(before)} | ${secret ? secretCell(after, "after", before) : cell(after)} |`,
    );
  }
  const table = rows.length > 0 ? [["| Property | Before | After |", "|---|---|---|", ...rows].join("\n")] : [];
  return [...table, ...blocks];
}

function renderInputs(resource: PlannedResource, fileContents: ReadonlySet<string>): string[] {
  const inputs = (resource.inputs ?? {}) as Record<string, unknown>;
  const rows: string[] = [];
  const blocks: string[] = [];
  for (const [key, value] of Object.entries(inputs)) {
    if (typeof value === "string" && value.includes("\n")) {
      if (fileContents.has(value)) continue;
      // The scripts of @pulumi/command resources are shell.
      const language = resource.type.startsWith("command:") && ["create", "update", "delete"].includes(key) ? "sh" : "";
      blocks.push(`${code(key)}:\n\n${block(value, language)}`);
      continue;
    }
    rows.push(`| ${code(key)} | ${cell(value)} |`);
  }
  const table = rows.length > 0 ? [["| Input | Value |", "|---|---|", ...rows].join("\n")] : [];
  return [...table, ...blocks];
}

/** A plan value in a table cell: secrets as `[secret]` (never a fingerprint), the rest as compact JSON. */
function cell(value: unknown): string {
  if (value === undefined) return "—";
  if (redactedSecret(value)) return code("[secret]");
  const text = JSON.stringify(value, (_key, v: unknown) => (redactedSecret(v) ? "[secret]" : v));
  return code(clip(text, VALUE_LIMIT));
}

/** One side of a change where either side is secret: never a value, on either side. */
function secretCell(value: unknown, side: "before" | "after", other: unknown): string {
  if (value === undefined) return "—";
  if (!redactedSecret(value)) return "<i>hidden (secret on the other side)</i>";
  if (side === "after" && redactedSecret(other)) return `${code("[secret]")} **changed**`;
  return code("[secret]");
}

function block(text: string, language: string): string {
  const { text: kept, cutLines } = clipLines(text.replace(/\n$/, ""), BLOCK_LIMIT);
  const fence = fenced(kept, language);
  return cutLines > 0 ? `${fence}\n<sub>… ${cutLines} more lines not shown</sub>` : fence;
}

function lineCount(text: string): number {
  return text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// Assembly and trimming

function join(parts: readonly Part[]): string {
  let text = "";
  parts.forEach((part, i) => {
    if (i > 0) text += part.item && parts[i - 1]!.item ? "\n" : "\n\n";
    text += part.text;
  });
  return text;
}

function assemble(top: readonly string[], entries: readonly Entry[], budget: number): { text: string; trimmed: boolean } {
  const head = top.join("\n");
  if (entries.length === 0) return { text: `${head.trimEnd()}\n`, trimmed: false };
  const section = `\n#### Changes (${entries.length} resource${entries.length === 1 ? "" : "s"})`;
  const whole = `${head}${section}\n\n${join(entries.map((e) => e.full))}\n`;
  if (whole.length <= budget) return { text: whole, trimmed: false };

  // Keep details in order while the remaining entries still fit by name; then names; then a count.
  // Sizes count two separator characters per part: an upper bound of what join() adds.
  const room = budget - (head.length + section.length + 600);
  const compactFrom: number[] = new Array<number>(entries.length + 1).fill(0);
  for (let i = entries.length - 1; i >= 0; i--) compactFrom[i] = compactFrom[i + 1]! + entries[i]!.compact.text.length + 2;
  const parts: Part[] = [];
  let used = 0;
  let detailed = 0;
  while (detailed < entries.length && used + entries[detailed]!.full.text.length + 2 + compactFrom[detailed + 1]! <= room) {
    parts.push(entries[detailed]!.full);
    used += entries[detailed]!.full.text.length + 2;
    detailed++;
  }
  let listed = detailed;
  while (listed < entries.length && used + entries[listed]!.compact.text.length + 2 <= room) {
    parts.push(entries[listed]!.compact);
    used += entries[listed]!.compact.text.length + 2;
    listed++;
  }
  const cut = listed - detailed;
  const unlisted = entries.length - listed;
  const note = [
    `> **Trimmed to stay under GitHub's comment limit:** ${cut > 0 ? `${cut} of ${entries.length} resources are listed without their details` : ""}${cut > 0 && unlisted > 0 ? "; " : ""}${unlisted > 0 ? `${unlisted} are not listed at all` : ""}.`,
    "> The untrimmed document is in this run's `pr-diff` artifact (`full/`), and `npm run diff -- --base <ref>` prints it locally.",
  ].join("\n");
  return { text: `${head}${section}\n\n${note}\n\n${join(parts)}\n`, trimmed: true };
}
