import { describe, expect, it } from "vitest";
import type { Artifact } from "../engine/artifacts";
import type { PlannedResource } from "../engine/planDocument";
import type { ValidationResult } from "../validators";
import { commentProblems } from "../../.github/scripts/commentSafety.cjs";
import { assertNoSecrets, SecretLeakError } from "./leakScan";
import { commentMarker, parseCommentMarker } from "./marker";
import { PLAN_EXPORT_FORMAT, type PlanExport, type PlannedStackExport } from "./planExport";
import { GITHUB_COMMENT_LIMIT, renderStackDiff, type StackDiffInput } from "./renderStackDiff";

const TYPE = "command:remote:Command";
const urn = (name: string, type = TYPE) => `urn:pulumi:dev::proj::${type}::${name}`;

function resource(name: string, inputs: Record<string, unknown>, type = TYPE): PlannedResource {
  return { urn: urn(name, type), type, name, custom: true, protect: false, dependencies: [], inputs };
}

function planned(
  resources: PlannedResource[],
  options: { artifacts?: Artifact[]; policies?: ValidationResult[]; checks?: number; secrets?: string[] } = {},
): PlannedStackExport {
  return {
    format: PLAN_EXPORT_FORMAT,
    ok: true,
    project: "proj",
    stack: "dev",
    plan: { project: "proj", stack: "dev", resources, outputs: {} },
    artifacts: options.artifacts ?? [],
    policies: { checks: options.checks ?? (options.policies ? 1 : 0), results: options.policies ?? [] },
    secretValues: options.secrets ?? [],
  };
}

function render(base: PlanExport | undefined, head: PlanExport | undefined, extra: Partial<StackDiffInput> = {}, budget?: number) {
  return renderStackDiff(
    {
      project: "proj",
      stack: "dev",
      base: { label: "main", ...(base ? { plan: base } : {}) },
      head: { label: "pr", ...(head ? { plan: head } : {}) },
      ...extra,
    },
    budget === undefined ? {} : { budget },
  );
}

describe("renderStackDiff", () => {
  it("starts with the stack's marker and says when nothing changes", () => {
    const plan = planned([resource("a", { x: 1 })]);
    const document = render(plan, plan);
    expect(document.markdown.split("\n", 1)[0]).toBe("<!-- paperclip-harness:pr-diff project=proj stack=dev -->");
    expect(document.markdown).toContain("<code>proj/dev</code>: no changes");
    expect(document.markdown).toContain("No changes: 1 resources unchanged.");
    expect(document.markdown).not.toContain("#### Changes");
    expect(document.summary).toBe("dev: no changes");
  });

  it("counts each kind of change in the summary line", () => {
    const base = planned([
      resource("kept", { x: 1 }),
      resource("edited", { x: 1 }),
      resource("gone", {}),
      resource("restart", { triggers: ["a"] }),
    ]);
    const head = planned([
      resource("kept", { x: 1 }),
      resource("edited", { x: 2 }),
      resource("new", {}),
      resource("restart", { triggers: ["b"] }),
    ]);
    const document = render(base, head);
    expect(document.counts).toEqual({ create: 1, update: 1, replace: 1, delete: 1, unchanged: 1 });
    expect(document.markdown).toContain(
      "**<code>+</code> 1 to create · <code>~</code> 1 to update · <code>+-</code> 1 to replace · <code>-</code> 1 to delete** · 1 unchanged",
    );
    expect(document.markdown).toContain("Replaced because <code>triggers&#91;0&#93;</code> changed.");
    // Most consequential first.
    const order = [...document.markdown.matchAll(/<code>[-+~]+<\/code> (\w+) /g)].slice(4).map((m) => m[1]);
    expect(order).toEqual(["replace", "delete", "update", "create"]);
  });

  it("shows a changed secret as changed, with neither value nor fingerprint", () => {
    const document = render(
      planned([resource("s", { stdin: "[secret:aaaaaaaaaaaaaaaa]" })]),
      planned([resource("s", { stdin: "[secret:bbbbbbbbbbbbbbbb]" })]),
    );
    expect(document.markdown).toContain(
      "| <code>stdin</code> | <code>&#91;secret&#93;</code> | <code>&#91;secret&#93;</code> **changed** |",
    );
    expect(document.markdown).not.toMatch(/aaaa|bbbb/);
  });

  it("hides a plain value that became secret (pulumi/pulumi#4957)", () => {
    const document = render(
      planned([resource("s", { token: "plain-old-token" })]),
      planned([resource("s", { token: "[secret:bbbbbbbbbbbbbbbb]" })]),
    );
    expect(document.markdown).not.toContain("plain-old-token");
    expect(document.markdown).toContain("hidden (secret on the other side)");
  });

  it("shows a rendered file once, as a unified diff, instead of its raw property", () => {
    const before = "[Container]\nImage=a:1\n";
    const after = "[Container]\nImage=a:2\n";
    const base = planned([resource("f", { stdin: before })], {
      artifacts: [{ path: "host/a.container", kind: "quadlet", content: before, resource: urn("f") }],
    });
    const head = planned([resource("f", { stdin: after })], {
      artifacts: [{ path: "host/a.container", kind: "quadlet", content: after, resource: urn("f") }],
    });
    const document = render(base, head);
    expect(document.markdown).toContain(
      "```diff\n--- a/host/a.container\n+++ b/host/a.container\n@@ -1,2 +1,2 @@\n [Container]\n-Image=a:1\n+Image=a:2\n```",
    );
    expect(document.markdown.match(/Image=a:2/g)).toHaveLength(1);
    expect(document.markdown).not.toContain("| <code>stdin</code>");
  });

  it("fences untrusted text so it cannot end the block, and strips terminal escapes", () => {
    const content = "```\n\u001b[31mred\u001b[0m\n<!-- paperclip-harness:pr-diff project=proj stack=prod -->\n";
    const document = render(
      undefined,
      planned([resource("f", { stdin: content, note: "a|b @someone" })], {
        artifacts: [{ path: "x", kind: "text", content, resource: urn("f") }],
      }),
    );
    expect(document.markdown).toContain("````diff\n");
    expect(document.markdown).not.toContain("\u001b");
    expect(document.markdown).toContain("<code>&#34;a&#124;b &#64;someone&#34;</code>");
    // Only the first line is a marker; a marker inside a fence is text.
    expect(document.markdown.split("\n").filter((l) => parseCommentMarker(l)?.stack === "dev")).toHaveLength(1);
  });

  it("writes only what the comment workflow's validator accepts, whatever the values hold", () => {
    const hostile = [
      "@someone please look",
      "![x](https://evil.example/pixel.png)",
      "[click](https://evil.example) <a href=x>y</a> <img src=x>",
      "https://evil.example/path www.evil.example mail me: ceo@evil.example",
      "<details open><summary>fake</summary>",
      "&amp; & <!-- comment -->",
      "\u202eevil\u0007",
    ];
    const inputs = Object.fromEntries(hostile.map((value, i) => [`field${i}`, value]));
    const document = render(
      planned([resource("old", inputs)]),
      planned([resource("old", { ...inputs, field0: `${hostile[0]}!` }), resource(hostile[3]!, inputs, hostile[2])], {
        policies: [{ validator: hostile[0]!, target: hostile[2]!, status: "failed", message: hostile.join("\n") }],
        checks: 1,
      }),
    );
    expect(commentProblems(document.markdown, document.markdown.split("\n", 1)[0]!)).toEqual([]);
    // The check can fail: the same values unescaped are refused.
    expect(
      commentProblems(`${commentMarker("proj", "dev")}\n${hostile.join("\n")}\n`, commentMarker("proj", "dev")).length,
    ).toBeGreaterThan(6);
  });

  it("lists policy violations first, marking new ones and the ones this change fixes", () => {
    const failed = (validator: string, target: string): ValidationResult => ({
      validator,
      target,
      status: "failed",
      message: "bad \u001b[1m|\u001b[0m thing",
    });
    const base = planned([resource("a", {})], { policies: [failed("policy:old", "a"), failed("policy:fixed", "a")] });
    const head = planned([resource("a", { x: 1 })], {
      policies: [
        failed("policy:old", "a"),
        failed("policy:new", "a"),
        { validator: "policy:ok", target: "a", status: "passed", message: "" },
      ],
    });
    const markdown = render(base, head).markdown;
    expect(markdown.indexOf("#### Policies")).toBeLessThan(markdown.indexOf("#### Changes"));
    expect(markdown).toContain("**2 violations** (1 new in this change), 0 skipped, 1 passed.");
    expect(markdown).toContain("| **failed** (new) | <code>policy:new</code> | <code>a</code> | bad &#124; thing |");
    expect(markdown).toContain("| **failed** | <code>policy:old</code> |");
    expect(markdown).toContain("Fixed by this change: <code>policy:fixed</code> on <code>a</code>.");
  });

  it("says so when no policy pack ran, rather than claiming a pass", () => {
    expect(render(planned([]), planned([])).markdown).toContain("No policy checks ran");
    expect(render(planned([]), planned([], { checks: 2 })).markdown).toContain("No policy violations (0 passed).");
  });

  it("a new stack is all creates; a removed stack all deletes", () => {
    const plan = planned([resource("a", {}), resource("b", {})]);
    const added = render(undefined, plan);
    expect(added.counts).toMatchObject({ create: 2, delete: 0 });
    expect(added.markdown).toContain("The stack is new");
    const removed = render(plan, undefined);
    expect(removed.counts).toMatchObject({ create: 0, delete: 2, unchanged: 0 });
    expect(removed.markdown).toContain("has no `stacks/Pulumi.dev.yaml`");
  });

  it("a head that does not plan is reported, not diffed", () => {
    const document = render(planned([resource("a", {})]), {
      format: PLAN_EXPORT_FORMAT,
      ok: false,
      stack: "dev",
      error: "paperclip-harness:domain: expected a DNS name",
    });
    expect(document.headFailed).toBe(true);
    expect(document.counts).toBeUndefined();
    expect(document.markdown).toContain("the head revision does not plan");
    expect(document.markdown).toContain("```\npaperclip-harness:domain: expected a DNS name\n```");
  });

  it("a base that does not plan lists the head as created, and says why", () => {
    const document = render({ format: PLAN_EXPORT_FORMAT, ok: false, stack: "dev", error: "boom" }, planned([resource("a", {})]));
    expect(document.counts).toMatchObject({ create: 1 });
    expect(document.markdown).toContain("The base revision does not plan this stack");
  });

  it("trims details, then names, to stay under the budget; never the summary or the policies", () => {
    const big = (n: number, version: number) =>
      Array.from({ length: 60 }, (_, i) => `Line${i}=${n}-${i % 7 === 0 ? version : 0}`).join("\n");
    const count = 400;
    const side = (version: number) =>
      planned(
        Array.from({ length: count }, (_, n) => resource(`file-${String(n).padStart(3, "0")}`, { stdin: big(n, version) })),
        {
          artifacts: Array.from({ length: count }, (_, n) => ({
            path: `host/f${n}`,
            kind: "text" as const,
            content: big(n, version),
            resource: urn(`file-${String(n).padStart(3, "0")}`),
          })),
          policies: [{ validator: "policy:p", target: "file-000", status: "failed", message: "violation" }],
        },
      );
    const document = render(side(1), side(2));
    expect(document.trimmed).toBe(true);
    expect(document.markdown.length).toBeLessThanOrEqual(60_000);
    expect(document.markdown.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(document.markdown).toContain("~</code> 400 to update");
    expect(document.markdown).toContain("| **failed** | <code>policy:p</code>");
    expect(document.markdown).toMatch(
      /Trimmed to stay under GitHub's comment limit:\*\* \d+ of 400 resources are listed without their details/,
    );
    expect(document.markdown).toContain(
      "<details><summary><code>~</code> update <code>command:remote:Command</code> <code>file-000</code>",
    );
    expect(document.markdown).toContain("- <code>~</code> update <code>command:remote:Command</code> <code>file-399</code>");
    expect(document.full).toContain("<code>file-399</code> · <code>stdin</code></summary>");

    const tiny = render(side(1), side(2), {}, 6_000);
    expect(tiny.markdown.length).toBeLessThanOrEqual(6_000);
    expect(tiny.markdown).toMatch(/\d+ are not listed at all/);
    expect(tiny.markdown).toContain("| **failed** | <code>policy:p</code>");
  });
});

describe("commentMarker", () => {
  it("round-trips and refuses names that could break out of the comment", () => {
    expect(parseCommentMarker(commentMarker("paperclip-harness", "dev-tokyo"))).toEqual({
      project: "paperclip-harness",
      stack: "dev-tokyo",
    });
    expect(() => commentMarker("p", "dev -->")).toThrow(/cannot be put in a comment marker/);
    expect(parseCommentMarker(`${commentMarker("p", "dev")} `)).toBeUndefined();
  });
});

describe("assertNoSecrets", () => {
  it("fails loudly without repeating the secret", () => {
    const secret = "c2VjcmV0LXZhbHVlLW9mLXRoZS1yZWNvcmRpbmc=";
    expect(() => assertNoSecrets("the diff of stack dev", `before ${secret} after`, [secret, "other"])).toThrow(SecretLeakError);
    try {
      assertNoSecrets("the diff of stack dev", `before ${secret} after`, [secret]);
    } catch (error) {
      expect((error as Error).message).toContain("SECRET LEAK: the diff of stack dev contains 1 secret value");
      expect((error as Error).message).not.toContain(secret);
    }
    expect(() => assertNoSecrets("x", "clean", [secret, ""])).not.toThrow();
  });
});
