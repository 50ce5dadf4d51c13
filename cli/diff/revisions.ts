/**
 * The two revisions a diff compares, each checked out and planned in its own process.
 *
 * A revision given by ref is checked out in a temporary `git worktree` (detached, removed
 * afterwards). Its `node_modules` is a symlink to the current checkout's: planning needs the SDK and
 * the providers' packages, and installing them per revision would make every diff a network-bound
 * `npm ci`. The price: when package-lock.json differs between the revisions, the base is planned
 * with the head's dependencies (see `dependenciesDiffer`, and docs/pr-diffs.md).
 */
import { existsSync, lstatSync, mkdtempSync, realpathSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProcess } from "../validators/runProcess";
import { DIFF_KEY_ENV, type PlanExport, readPlanExport } from "./planExport";

export interface Revision {
  /** How documents name it: `main @ 1a2b3c4`, `working tree @ 1a2b3c4`. */
  label: string;
  /** The commit, or undefined for a working tree without commits. */
  sha?: string;
  /** Where its files are. */
  dir: string;
  /** Removes the temporary checkout (nothing for the working tree). */
  dispose(): Promise<void>;
}

const GIT_TIMEOUT_MS = 120_000;
/** Planning every stack of one revision. */
const PLAN_TIMEOUT_MS = 600_000;

export class DiffError extends Error {}

export async function git(repo: string, args: readonly string[]): Promise<string> {
  const outcome = await runProcess("git", ["-C", repo, ...args], { timeoutMs: GIT_TIMEOUT_MS });
  if (outcome.exitCode !== 0) {
    throw new DiffError(`git ${args.join(" ")} failed${outcome.spawnError ? `: ${outcome.spawnError}` : ""}:\n${outcome.stderr.trim()}`);
  }
  return outcome.stdout.trim();
}

/** The commit a ref names, or a DiffError saying the ref is unknown here. */
export async function resolveCommit(repo: string, ref: string): Promise<string> {
  if (ref.startsWith("-")) throw new DiffError(`not a git ref: ${ref}`);
  try {
    return await git(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  } catch {
    throw new DiffError(
      `unknown git ref ${JSON.stringify(ref)} in ${repo} (fetch it first; a shallow CI checkout needs fetch-depth: 2 or more)`,
    );
  }
}

/** A ref checked out in a temporary worktree, sharing the current checkout's node_modules. */
export async function checkoutRevision(repo: string, ref: string): Promise<Revision> {
  const sha = await resolveCommit(repo, ref);
  const modules = join(repo, "node_modules");
  if (!existsSync(modules)) throw new DiffError(`${modules} is missing: run npm ci first (the revisions are planned with it)`);
  const parent = mkdtempSync(join(tmpdir(), "paperclip-harness-diff-"));
  const dir = join(parent, "tree");
  const link = join(dir, "node_modules");
  const dispose = async () => {
    // Unlink the shared node_modules first, so nothing below can reach into it.
    if (lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink()) unlinkSync(link);
    try {
      if (existsSync(dir)) await git(repo, ["worktree", "remove", "--force", dir]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  };
  try {
    // No hooks: a post-checkout hook (an npm install, say) has no business in a throwaway checkout.
    await git(repo, ["-c", "core.hooksPath=/dev/null", "worktree", "add", "--detach", "--quiet", dir, sha]);
    if (lstatSync(link, { throwIfNoEntry: false }) !== undefined)
      throw new DiffError(`${ref} has a node_modules of its own in git: cannot plan it with the current dependencies`);
    symlinkSync(realpathSync(modules), link, "dir");
  } catch (error) {
    await dispose();
    throw error;
  }
  const label = /^[0-9a-f]{4,40}$/.test(ref) && sha.startsWith(ref) ? sha.slice(0, 7) : `${ref} @ ${sha.slice(0, 7)}`;
  return { label, sha, dir, dispose };
}

/** The checkout the command runs in, uncommitted changes included. */
export async function workingTree(repo: string): Promise<Revision> {
  const sha = await git(repo, ["rev-parse", "--verify", "--quiet", "HEAD"]).catch(() => undefined);
  const dirty = (await git(repo, ["status", "--porcelain", "--untracked-files=normal"])) !== "";
  const label = `working tree${sha ? ` @ ${sha.slice(0, 7)}` : ""}${dirty ? " with uncommitted changes" : ""}`;
  return { label, ...(sha ? { sha } : {}), dir: repo, dispose: async () => {} };
}

/** Whether the two revisions pin different dependencies (their package-lock.json differ). */
export async function dependenciesDiffer(base: Revision, head: Revision): Promise<boolean> {
  const blob = async (revision: Revision) => {
    const file = join(revision.dir, "package-lock.json");
    return existsSync(file) ? git(revision.dir, ["hash-object", "--", file]) : "";
  };
  return (await blob(base)) !== (await blob(head));
}

/**
 * Plans `stacks` of a revision in a child process of its own (`plan --json-out`), with the run's
 * fingerprint key, and reads one export per stack.
 */
export async function exportRevisionPlans(
  revision: Revision,
  stacks: readonly string[],
  key: string,
  scratch: string,
): Promise<Map<string, PlanExport>> {
  const exports = new Map<string, PlanExport>();
  if (stacks.length === 0) return exports;
  const outDir = mkdtempSync(join(scratch, "export-"));
  const tsx = join(revision.dir, "node_modules", ".bin", "tsx");
  if (!existsSync(tsx)) throw new DiffError(`${tsx} is missing: run npm ci first`);
  const outcome = await runProcess(process.execPath, [realpathSync(tsx), "cli/main.ts", "plan", "--json-out", outDir, ...stacks], {
    cwd: revision.dir,
    env: { ...process.env, [DIFF_KEY_ENV]: key },
    timeoutMs: PLAN_TIMEOUT_MS,
  });
  const missing = stacks.filter((stack) => !existsSync(join(outDir, `${stack}.json`)));
  if (outcome.exitCode !== 0 || missing.length > 0) {
    const said = `${outcome.stderr}\n${outcome.stdout}`.trim().split("\n").slice(-20).join("\n");
    const hint = /usage: |unknown option|--json-out/.test(said)
      ? `\n(${revision.label} predates \`plan --json-out\`: diff needs both revisions to have it)`
      : "";
    throw new DiffError(
      `planning ${revision.label} failed (exit ${outcome.exitCode ?? "signal"}${outcome.timedOut ? ", timed out" : ""}):\n${said}${hint}`,
    );
  }
  for (const stack of stacks) exports.set(stack, readPlanExport(join(outDir, `${stack}.json`), stack));
  rmSync(outDir, { recursive: true, force: true });
  return exports;
}
