/**
 * The diff against real git history: a copy of this project in a temporary repository, with one
 * commit per kind of change a pull request brings. Each commit is planned once (its own worktree,
 * its own process, one fingerprint key for the whole file, as within one diff run); the documents
 * between consecutive commits are golden files in __goldens__/. The CLI itself runs once, on a
 * commit against itself.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, realpathSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProjectFixture, type ProjectFixture, setStackConfig } from "../../test/support/projectFixture";
import { CATALOG_INDEX, renderCatalogIndex } from "../catalogIndex";
import { shippedStacks } from "../stacks";
import { runProcess } from "../validators/runProcess";
import { countLeakedSecrets } from "./leakScan";
import type { PlanExport } from "./planExport";
import { renderStackDiff, type StackDiffDocument } from "./renderStackDiff";
import { checkoutRevision, exportRevisionPlans } from "./revisions";

const PROJECT_ROOT = join(__dirname, "..", "..");
const PROJECT = "paperclip-harness";
// LiteLLM runs its upstream image as it is (Paperclip is built on the host FROM its image).
const NEW_IMAGE = "ghcr.io/berriai/litellm:v1.108.6";
const WHOAMI = `import type { ServiceDefinition } from "./types";

/** A small HTTP echo service, published at whoami.<domain> through Caddy. */
export const whoami: ServiceDefinition = () => ({
  name: "whoami",
  description: "HTTP echo service",
  image: "docker.io/traefik/whoami:v1.11.0",
  ports: [{ container: 80, posture: "cloudflared", purpose: "HTTP" }],
  route: { subdomain: "whoami", upstream: { port: 80 } },
  restart: "always",
});
`;

/** Regenerates infra/catalog/index.ts from the fixture's catalogue folder, as `npm run generate` does. */
function regenerateCatalogIndex(dir: string): void {
  writeFileSync(join(dir, CATALOG_INDEX), renderCatalogIndex(dir));
}

type Step = "base" | "imageBump" | "newService" | "rotation" | "removedService";

let fixture: ProjectFixture;
let scratch: string;
const commits = {} as Record<Step, string>;
const plans = {} as Record<Step, Map<string, PlanExport>>;

beforeAll(async () => {
  fixture = await createProjectFixture(PROJECT_ROOT);
  scratch = mkdtempSync(join(tmpdir(), "paperclip-harness-diff-test-"));
  commits.base = (await runProcess("git", ["-C", fixture.dir, "rev-parse", "HEAD"], { timeoutMs: 30_000 })).stdout.trim();
  commits.imageBump = await fixture.commit("Bump LiteLLM's image", (dir) =>
    setStackConfig(dir, "fedora", `${PROJECT}:services`, { litellm: { image: NEW_IMAGE } }),
  );
  commits.newService = await fixture.commit("Add the whoami service", (dir) => {
    writeFileSync(join(dir, "infra/catalog/whoami.ts"), WHOAMI);
    regenerateCatalogIndex(dir);
  });
  commits.rotation = await fixture.commit("Rotate the Paperclip database password", (dir) =>
    setStackConfig(dir, "fedora", `${PROJECT}:rotations`, { "paperclip-db-password": "2026-11" }),
  );
  commits.removedService = await fixture.commit("Remove the whoami service", (dir) => {
    unlinkSync(join(dir, "infra/catalog/whoami.ts"));
    regenerateCatalogIndex(dir);
  });

  // One key for the file, as within one diff run; two revisions planned at a time.
  const key = randomBytes(32).toString("hex");
  const steps = Object.keys(commits) as Step[];
  const planStep = async (step: Step) => {
    const revision = await checkoutRevision(fixture.dir, commits[step]);
    try {
      plans[step] = await exportRevisionPlans(revision, shippedStacks(revision.dir), key, scratch);
    } finally {
      await revision.dispose();
    }
  };
  for (let i = 0; i < steps.length; i += 2) await Promise.all(steps.slice(i, i + 2).map(planStep));
}, 300_000);

afterAll(() => {
  fixture?.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function diff(from: Step, to: Step, stack = "fedora", labels = { base: "main", head: "pull request" }): StackDiffDocument {
  return renderStackDiff({
    project: PROJECT,
    stack,
    base: { label: labels.base, plan: plans[from].get(stack)! },
    head: { label: labels.head, plan: plans[to].get(stack)! },
  });
}

function secretsOf(...steps: Step[]): string[] {
  return steps.flatMap((step) => [...plans[step].values()].flatMap((e) => (e.ok ? e.secretValues : [])));
}

function inputsOf(step: Step, name: string): Record<string, unknown> {
  const planned = plans[step].get("fedora");
  if (!planned?.ok) throw new Error(`fedora does not plan at ${step}`);
  const resource = planned.plan.resources.find((r) => r.name === name);
  if (!resource) throw new Error(`no ${name} at ${step}`);
  return resource.inputs as Record<string, unknown>;
}

/** The changed resources' lines of a document: `<kind> <name>`. */
function changedResources(document: StackDiffDocument): string[] {
  return [...document.full.matchAll(/<code>[+~-]+<\/code> (create|update|replace|delete) <code>[^<]*<\/code> <code>([^<]*)<\/code>/g)].map(
    (m) => `${m[1]} ${m[2]}`,
  );
}

describe("diff between commits (golden documents)", () => {
  it("an image bump updates the unit file and restarts only that service", async () => {
    const document = diff("base", "imageBump");
    expect(document.counts).toMatchObject({ create: 0, delete: 0 });
    expect(changedResources(document)).toEqual(["replace harness-restart-litellm.service", "update harness-file-litellm.container"]);
    expect(document.markdown).toContain(`+Image=${NEW_IMAGE}`);
    expect(document.markdown).toMatch(/^-Image=ghcr\.io\/berriai\/litellm:v1\.108\.5$/m);
    await expect(document.markdown).toMatchFileSnapshot("__goldens__/image-bump.fedora.md");
  });

  it("a new service creates its unit, its restart, and routes it through Caddy", async () => {
    const document = diff("imageBump", "newService");
    const changed = changedResources(document);
    expect(changed).toContain("create harness-file-whoami.container");
    expect(changed).toContain("create harness-restart-whoami.service");
    expect(changed).toContain("update harness-file-caddy-Caddyfile");
    expect(document.counts?.delete).toBe(0);
    expect(document.markdown).toContain("+http://whoami.sodimo.eu {");
    await expect(document.markdown).toMatchFileSnapshot("__goldens__/new-service.fedora.md");
  });

  it("a secret rotation shows the secret as changed, and neither value", async () => {
    const document = diff("newService", "rotation");
    const changed = changedResources(document);
    expect(changed).toContain("replace paperclip-db-password-bytes");
    expect(changed).toContain("update harness-secret-paperclip-db-postgres-password");
    expect(changed).toContain("replace harness-restart-paperclip-db.service");
    expect(document.markdown).toMatch(
      /<code>stdin<\/code> \| <code>&#91;secret&#93;<\/code> \| <code>&#91;secret&#93;<\/code> \*\*changed\*\* \|/,
    );
    // Neither the old nor the new value (in any encoding), nor a fingerprint.
    expect(countLeakedSecrets(document.full, secretsOf("newService", "rotation"))).toBe(0);
    expect(document.full).not.toMatch(/\[secret:[0-9a-f]+\]/);
    await expect(document.markdown).toMatchFileSnapshot("__goldens__/secret-rotation.fedora.md");
  });

  it("the rotation really changed the value the podman secret receives", () => {
    const before = inputsOf("newService", "harness-secret-paperclip-db-postgres-password").stdin;
    const after = inputsOf("rotation", "harness-secret-paperclip-db-postgres-password").stdin;
    expect(before).toMatch(/^\[secret:[0-9a-f]{16}\]$/);
    expect(after).toMatch(/^\[secret:[0-9a-f]{16}\]$/);
    expect(after).not.toBe(before);
  });

  it("a removed service deletes its unit and its restart", async () => {
    const document = diff("rotation", "removedService");
    const changed = changedResources(document);
    expect(changed).toContain("delete harness-file-whoami.container");
    expect(changed).toContain("delete harness-restart-whoami.service");
    expect(document.counts?.create).toBe(0);
    expect(document.markdown).toContain("Removes the file <code>host/.config/containers/systemd/whoami.container</code>");
    await expect(document.markdown).toMatchFileSnapshot("__goldens__/removed-service.fedora.md");
  });

  it("the README's example: an image bump, a new service and a rotation in one pull request", async () => {
    const document = diff("base", "rotation", "fedora", { base: "main", head: "add-whoami" });
    expect(document.trimmed).toBe(false);
    await expect(document.markdown).toMatchFileSnapshot("__goldens__/readme-example.fedora.md");
  });

  it("the other stacks do not change", () => {
    for (const stack of shippedStacks(fixture.dir).filter((s) => s !== "fedora")) {
      for (const [from, to] of [["base", "removedService"]] as const) expect(diff(from, to, stack).markdown).toContain(": no changes");
    }
  });

  it("no document carries a secret any recording fabricated", () => {
    const steps = Object.keys(commits) as Step[];
    const secrets = secretsOf(...steps);
    expect(secrets.length).toBeGreaterThan(0);
    for (let i = 1; i < steps.length; i++) {
      for (const stack of shippedStacks(fixture.dir))
        expect(countLeakedSecrets(diff(steps[i - 1]!, steps[i]!, stack).full, secrets)).toBe(0);
    }
  });
});

describe("npm run diff on a commit against itself", () => {
  it("says no changes for every stack and exits 0", async () => {
    const out = join(scratch, "self");
    const tsx = realpathSync(join(PROJECT_ROOT, "node_modules", ".bin", "tsx"));
    const run = await runProcess(process.execPath, [tsx, "cli/main.ts", "diff", "--base", "HEAD", "--out", out], {
      cwd: fixture.dir,
      timeoutMs: 300_000,
    });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.exitCode).toBe(0);
    const stacks = shippedStacks(fixture.dir);
    for (const stack of stacks) {
      const document = readFileSync(join(out, `${stack}.md`), "utf8");
      expect(document.split("\n", 1)[0]).toBe(`<!-- paperclip-harness:pr-diff project=${PROJECT} stack=${stack} -->`);
      expect(document).toContain(`<code>${PROJECT}/${stack}</code>: no changes`);
      expect(document).toMatch(/No changes: \d+ resources unchanged\./);
      expect(run.stdout).toContain(`${stack}: no changes`);
    }
    // The temporary worktree is gone.
    const worktrees = await runProcess("git", ["-C", fixture.dir, "worktree", "list", "--porcelain"], { timeoutMs: 30_000 });
    expect(worktrees.stdout.match(/^worktree /gm)).toHaveLength(1);
  });
});
