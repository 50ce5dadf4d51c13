/**
 * `diff --base <ref> [--head <ref>] [--out <dir>] [stack…]`: plans two revisions offline and writes
 * one Markdown document per stack, ready to be a pull-request comment (see docs/pr-diffs.md).
 *
 * Exit status: 0 when every document was written (changes or not); 1 on an error, including a head
 * revision that does not plan a stack (its document is still written) and a secret found in a
 * document (nothing is written); 2 on a usage error.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { readProjectFile } from "../engine/stackSettings";
import { shippedStacks } from "../stacks";
import { assertNoSecrets, SecretLeakError } from "./leakScan";
import { MARKER_PATTERN } from "./marker";
import type { PlanExport } from "./planExport";
import { renderStackDiff, type StackDiffDocument } from "./renderStackDiff";
import { checkoutRevision, dependenciesDiffer, DiffError, exportRevisionPlans, type Revision, workingTree } from "./revisions";

export interface DiffOptions {
  /** Repository root (where Pulumi.yaml is): the head is its working tree unless `head` is given. */
  root: string;
  base: string;
  head?: string;
  /** Default: all stacks of either revision. */
  stacks?: readonly string[];
  /** Where the documents go. Default `<root>/.out/pr-diff`. */
  outDir?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface DiffResult {
  documents: StackDiffDocument[];
  /** `<stack>` → written file. */
  files: Map<string, string>;
}

const USAGE = "usage: tsx cli/main.ts diff --base <git-ref> [--head <git-ref>] [--out <dir>] [stack…]";

export class UsageError extends Error {}

export function parseDiffArguments(root: string, args: readonly string[]): DiffOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { base: { type: "string" }, head: { type: "string" }, out: { type: "string" } },
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.base === undefined) throw new UsageError(`--base is required\n${USAGE}`);
  return {
    root,
    base: values.base,
    ...(values.head === undefined ? {} : { head: values.head }),
    ...(values.out === undefined ? {} : { outDir: resolve(values.out) }),
    ...(positionals.length > 0 ? { stacks: positionals } : {}),
  };
}

/** Plans both revisions, renders, scans and writes. Throws DiffError, SecretLeakError or UsageError. */
export async function runDiff(options: DiffOptions): Promise<DiffResult> {
  const key = randomBytes(32).toString("hex");
  const scratch = mkdtempSync(join(tmpdir(), "paperclip-harness-diff-run-"));
  const revisions: Revision[] = [];
  try {
    const base = await checkoutRevision(options.root, options.base);
    revisions.push(base);
    const head = options.head === undefined ? await workingTree(options.root) : await checkoutRevision(options.root, options.head);
    revisions.push(head);

    const baseStacks = stacksOf(base);
    const headStacks = stacksOf(head);
    const known = [...new Set([...baseStacks, ...headStacks])].sort();
    const stacks = options.stacks ?? known;
    for (const stack of stacks) {
      if (!known.includes(stack)) throw new UsageError(`unknown stack ${stack}; stacks: ${known.join(", ")}`);
    }

    options.log?.(`Planning ${stacks.join(", ")} at ${base.label} and at ${head.label}, one process each…`);
    // Two processes, two module trees; they run side by side. Both are waited for, even when one
    // fails, so nothing is still writing when the checkouts and scratch files are removed.
    const [baseExports, headExports] = settled(
      await Promise.allSettled([
        exportRevisionPlans(
          base,
          stacks.filter((s) => baseStacks.includes(s)),
          key,
          scratch,
        ),
        exportRevisionPlans(
          head,
          stacks.filter((s) => headStacks.includes(s)),
          key,
          scratch,
        ),
      ]),
    );

    const project = readProjectFile(existsSync(join(head.dir, "Pulumi.yaml")) ? head.dir : base.dir).name;
    const notes = (await dependenciesDiffer(base, head))
      ? [
          "package-lock.json differs between the revisions: both were planned with the head's dependencies, so a change that comes only from a dependency update does not show here (docs/pr-diffs.md).",
        ]
      : [];
    const documents = stacks.map((stack) =>
      renderStackDiff({
        project,
        stack,
        base: { label: base.label, ...withPlan(baseExports.get(stack)) },
        head: { label: head.label, ...withPlan(headExports.get(stack)) },
        notes,
      }),
    );

    const secrets = [...baseExports.values(), ...headExports.values()].flatMap((e) => (e.ok ? e.secretValues : []));
    for (const document of documents) {
      assertNoSecrets(`the diff of stack ${document.stack}`, `${document.full}\n${document.markdown}`, secrets);
    }
    return { documents, files: writeDocuments(options.outDir ?? join(options.root, ".out", "pr-diff"), documents) };
  } finally {
    for (const revision of revisions.reverse()) await revision.dispose();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The values of settled promises, or the first failure. */
function settled<T extends readonly unknown[]>(results: { [K in keyof T]: PromiseSettledResult<T[K]> }): T {
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) throw failure.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

function withPlan(plan: PlanExport | undefined): { plan?: PlanExport } {
  return plan === undefined ? {} : { plan };
}

function stacksOf(revision: Revision): string[] {
  return existsSync(join(revision.dir, "stacks")) ? shippedStacks(revision.dir) : [];
}

/**
 * `<out>/<stack>.md` (the comment, within budget) and `<out>/full/<stack>.md` (untrimmed). Earlier
 * documents (files that start with a PR-diff marker) are removed first; nothing else is touched.
 */
function writeDocuments(outDir: string, documents: readonly StackDiffDocument[]): Map<string, string> {
  const fullDir = join(outDir, "full");
  for (const dir of [outDir, fullDir]) {
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir)) {
      const file = join(dir, name);
      if (name.endsWith(".md") && MARKER_PATTERN.test(readFileSync(file, "utf8").split("\n", 1)[0]!)) rmSync(file);
    }
  }
  const files = new Map<string, string>();
  for (const document of documents) {
    const file = join(outDir, `${document.stack}.md`);
    writeFileSync(file, document.markdown);
    writeFileSync(join(fullDir, `${document.stack}.md`), document.full);
    files.set(document.stack, file);
  }
  return files;
}

/** The CLI entry: prints one line per stack and returns the exit status. */
export async function diffCommand(root: string, args: readonly string[]): Promise<number> {
  try {
    const result = await runDiff({ ...parseDiffArguments(root, args), log: (line) => console.log(line) });
    for (const document of result.documents) {
      const file = relative(process.cwd(), result.files.get(document.stack)!);
      console.log(`${document.summary}${document.trimmed ? " (trimmed to fit a comment; untrimmed under full/)" : ""} → ${file}`);
    }
    return result.documents.some((d) => d.headFailed) ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(error.message);
      return 2;
    }
    if (error instanceof DiffError || error instanceof SecretLeakError) {
      console.error(`diff: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
