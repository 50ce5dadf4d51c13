import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkoutRevision, dependenciesDiffer, DiffError, git, resolveCommit, workingTree } from "./revisions";

const IDENTITY = ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"];
let repo: string;
let first: string;

beforeAll(async () => {
  repo = mkdtempSync(join(tmpdir(), "revisions-test-"));
  await git(repo, ["init", "--quiet", "--initial-branch=main"]);
  writeFileSync(join(repo, "package-lock.json"), "{}\n");
  writeFileSync(join(repo, ".gitignore"), "node_modules/\n");
  await git(repo, ["add", "--all"]);
  await git(repo, [...IDENTITY, "commit", "--quiet", "-m", "one"]);
  first = await git(repo, ["rev-parse", "HEAD"]);
  writeFileSync(join(repo, "package-lock.json"), '{"lockfileVersion": 3}\n');
  await git(repo, [...IDENTITY, "commit", "--quiet", "-am", "two"]);
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe("revisions", () => {
  it("resolves refs to commits and refuses what is not one", async () => {
    expect(await resolveCommit(repo, "HEAD~1")).toBe(first);
    await expect(resolveCommit(repo, "no-such-branch")).rejects.toThrow(DiffError);
    await expect(resolveCommit(repo, "no-such-branch")).rejects.toThrow(/unknown git ref "no-such-branch"/);
    await expect(resolveCommit(repo, "--output=/tmp/x")).rejects.toThrow(/not a git ref/);
  });

  it("needs node_modules to plan a revision", async () => {
    await expect(checkoutRevision(repo, "HEAD")).rejects.toThrow(/node_modules is missing: run npm ci/);
  });

  it("checks a ref out with the shared node_modules, and removes it without touching them", async () => {
    mkdirSync(join(repo, "node_modules", "some-package"), { recursive: true });
    writeFileSync(join(repo, "node_modules", "some-package", "index.js"), "module.exports = 1;\n");
    const revision = await checkoutRevision(repo, "HEAD~1");
    try {
      expect(revision.sha).toBe(first);
      expect(revision.label).toBe(`HEAD~1 @ ${first.slice(0, 7)}`);
      expect(readFileSync(join(revision.dir, "package-lock.json"), "utf8")).toBe("{}\n");
      expect(lstatSync(join(revision.dir, "node_modules")).isSymbolicLink()).toBe(true);
      expect(existsSync(join(revision.dir, "node_modules", "some-package", "index.js"))).toBe(true);
      const head = await workingTree(repo);
      expect(head.dir).toBe(repo);
      expect(await dependenciesDiffer(revision, head)).toBe(true);
      expect(await dependenciesDiffer(head, head)).toBe(false);
    } finally {
      await revision.dispose();
    }
    expect(existsSync(revision.dir)).toBe(false);
    expect(readFileSync(join(repo, "node_modules", "some-package", "index.js"), "utf8")).toBe("module.exports = 1;\n");
    expect((await git(repo, ["worktree", "list", "--porcelain"])).match(/^worktree /gm)).toHaveLength(1);
  });

  it("labels a working tree with uncommitted changes", async () => {
    writeFileSync(join(repo, "new-file"), "x\n");
    try {
      expect((await workingTree(repo)).label).toMatch(/^working tree @ [0-9a-f]{7} with uncommitted changes$/);
    } finally {
      rmSync(join(repo, "new-file"));
    }
  });
});
