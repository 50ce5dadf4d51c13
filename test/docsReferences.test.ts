/**
 * Every repository path the documentation names must exist, and every relative link must land: the
 * README and docs/ are what a newcomer trusts first. Checked: relative Markdown links (the file, and
 * the heading when the link has a fragment), and every token that names a path under one of the
 * repository's top-level folders (`infra/catalog/litellm.ts`, `components/<area>/`, `infra/catalog/*.ts`:
 * a `<placeholder>` or `*` must match at least one existing path). Paths of what the program renders
 * on a host (`.config/…`, `host/…`) or writes locally (`.out/`, `.tools/`) are not repository paths.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_KEYS } from "../infra/config/keys";

const ROOT = join(__dirname, "..");
/** Top-level folders of the repository: a token starting with one of these names a repository path. */
const TOP_LEVEL = ["apps", "cli", "components", "docs", "infra", "policy", "scripts", "stacks", "test", ".ci", ".github"];
/** Documents whose code spans are another project's paths (upstream Paperclip's); their links are still checked. */
const PATHS_NOT_OURS = new Set(["docs/paperclip-upstream.md"]);
const SKIPPED_DIRECTORIES = new Set(["node_modules", ".git", ".out", ".tools"]);

function walk(directory: string, out: string[] = []): string[] {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (SKIPPED_DIRECTORIES.has(entry.name)) continue;
    const path = join(directory, entry.name);
    out.push(relative(ROOT, path).split("\\").join("/") + (entry.isDirectory() ? "/" : ""));
    if (entry.isDirectory()) walk(path, out);
  }
  return out;
}

/** The documents checked: the README and every Markdown file under docs/ and apps/. */
function documents(): string[] {
  const all = walk(ROOT);
  return ["README.md", ...all.filter((p) => /^(docs|apps)\/.*\.md$/.test(p))];
}

/** GitHub's heading anchor: lower case, punctuation dropped (hyphens and underscores kept), spaces to hyphens. */
function headingAnchor(heading: string): string {
  return heading
    .replace(/`/g, "")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFencedCode(markdown).split("\n")) {
    const match = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!match) continue;
    const base = headingAnchor(match[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

function withoutFencedCode(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
}

/** A named path as a pattern over the repository's paths: `<x>` is one path segment, `*` part of one. */
function pathPattern(path: string): RegExp {
  const source = path
    .split(/(<[^>/]+>|\*)/)
    .map((part) => (part === "*" ? "[^/]*" : /^<[^>/]+>$/.test(part) ? "[^/]+" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}/?$`);
}

interface BrokenReference {
  document: string;
  reference: string;
  problem: string;
}

/** The broken references of one document, given the repository's paths (directories end in `/`). */
function brokenReferences(document: string, markdown: string, paths: readonly string[], read: (path: string) => string): BrokenReference[] {
  const broken: BrokenReference[] = [];
  const pathSet = new Set(paths);
  const exists = (path: string) => pathSet.has(path) || pathSet.has(`${path.replace(/\/$/, "")}/`);

  // Relative links, outside fenced code (inline code cannot hold a link).
  const prose = withoutFencedCode(markdown).replace(/`[^`\n]*`/g, "");
  for (const match of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const [file, fragment] = target.split("#") as [string, string | undefined];
    const resolved = file === "" ? document : posix.normalize(posix.join(posix.dirname(document), decodeURIComponent(file)));
    if (!exists(resolved)) {
      broken.push({ document, reference: target, problem: `links to ${resolved}, which does not exist` });
      continue;
    }
    if (fragment !== undefined && resolved.endsWith(".md") && !anchorsOf(read(resolved)).has(fragment)) {
      broken.push({ document, reference: target, problem: `${resolved} has no heading with the anchor #${fragment}` });
    }
  }

  // Named repository paths: in prose, in one-word code spans and in code blocks. A code span of
  // several words is a command line, which may run elsewhere (`podman exec paperclip node cli/…`
  // runs in Paperclip's image); the document whose paths are all upstream's names ours by links.
  if (PATHS_NOT_OURS.has(document)) return broken;
  const top = TOP_LEVEL.map((t) => t.replace(/\./g, "\\.")).join("|");
  const token = new RegExp(`(?<![\\w./~-])((?:${top})/[\\w./<>*@+-]*)`, "g");
  const scanned = markdown.replace(/`[^`\n]+`/g, (span) => (/\s/.test(span) ? " " : span));
  for (const match of scanned.matchAll(token)) {
    const named = match[1]!.replace(/[.,:;]+$/, "").replace(/:\d+$/, "");
    if (named.includes("…")) continue;
    // A module named as it is imported (`infra/program`) is its .ts file.
    const patterns = [pathPattern(named), pathPattern(`${named}.ts`)];
    if (!paths.some((p) => patterns.some((pattern) => pattern.test(p)))) {
      broken.push({ document, reference: named, problem: "names a repository path that does not exist" });
    }
  }
  return broken;
}

describe("documentation references", () => {
  it("every path the README and docs/ name exists, and every relative link lands on a file and heading", () => {
    const paths = walk(ROOT);
    const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
    const broken = documents().flatMap((document) => brokenReferences(document, read(document), paths, read));
    expect(broken).toEqual([]);
  });

  it("reads every document it claims to (README, docs/, apps/)", () => {
    const checked = documents();
    expect(checked).toContain("README.md");
    expect(checked).toContain("docs/system.md");
    expect(checked).toContain("docs/glossary.md");
    for (const document of checked) expect(statSync(join(ROOT, document)).isFile()).toBe(true);
  });
});

/**
 * Configuration keys a document's key tables list (tables whose first header cell is `key`): each
 * code span of the first column must be a key of the registry (infra/config/keys), which Pulumi.yaml
 * and the README's reference are generated from. A path such as `services.<name>` counts as its key.
 */
function unknownConfigKeys(document: string, markdown: string, keys: ReadonlySet<string>): BrokenReference[] {
  const unknown: BrokenReference[] = [];
  let inKeyTable = false;
  for (const line of withoutFencedCode(markdown).split("\n")) {
    if (!line.startsWith("|")) {
      inKeyTable = false;
      continue;
    }
    const firstCell = line.split("|")[1]!.trim();
    if (/^key\b/i.test(firstCell)) {
      inKeyTable = true;
      continue;
    }
    if (!inKeyTable || /^[-: ]+$/.test(firstCell)) continue;
    for (const match of firstCell.matchAll(/`([^`]+)`/g)) {
      const key = match[1]!.split(".")[0]!;
      if (!keys.has(key)) unknown.push({ document, reference: match[1]!, problem: "is not a configuration key (infra/config/keys)" });
    }
  }
  return unknown;
}

/** Section numbers of a reference page: `## 4. …`, `### 4.1 …`. */
function sectionsOf(markdown: string): Set<string> {
  return new Set([...withoutFencedCode(markdown).matchAll(/^#{2,3}\s+(\d+(?:\.\d+)?)\.?\s/gm)].map((m) => m[1]!));
}

/** Every `system.md §N` / `paperclip-upstream.md §N` citation (ranges `§2-§3`, `§7–§9` too) in a text. */
function citationsIn(text: string): { page: string; section: string }[] {
  const found: { page: string; section: string }[] = [];
  for (const match of text.matchAll(/\b(system|paperclip-upstream)\.md §(\d+(?:\.\d+)?)(?:\s?[-–]\s?§(\d+(?:\.\d+)?))?/g)) {
    found.push({ page: `docs/${match[1]}.md`, section: match[2]! });
    if (match[3]) found.push({ page: `docs/${match[1]}.md`, section: match[3] });
  }
  return found;
}

describe("citations of the reference pages", () => {
  it("every `system.md §N` and `paperclip-upstream.md §N` in the repository names a section of the page in docs/", () => {
    const sections = new Map(
      ["docs/system.md", "docs/paperclip-upstream.md"].map((page) => [page, sectionsOf(readFileSync(join(ROOT, page), "utf8"))]),
    );
    const cited = walk(ROOT)
      .filter((path) => /\.(ts|mts|sql|ya?ml|md|sh)$/.test(path) && !path.endsWith("/"))
      .flatMap((path) => citationsIn(readFileSync(join(ROOT, path), "utf8")).map((citation) => ({ path, ...citation })));
    expect(cited.length).toBeGreaterThan(20);
    expect(cited.filter((c) => !sections.get(c.page)!.has(c.section))).toEqual([]);
  });

  it("reads single sections, subsections and ranges", () => {
    expect(citationsIn("(system.md §4.1, paperclip-upstream.md §2-§3, system.md §7–§9)")).toEqual([
      { page: "docs/system.md", section: "4.1" },
      { page: "docs/paperclip-upstream.md", section: "2" },
      { page: "docs/paperclip-upstream.md", section: "3" },
      { page: "docs/system.md", section: "7" },
      { page: "docs/system.md", section: "9" },
    ]);
    expect([...sectionsOf("## 1. What\n### 4.1 Paperclip\n## Notes\n")]).toEqual(["1", "4.1"]);
  });
});

describe("configuration keys in the documentation", () => {
  it("every key a key table lists exists", () => {
    const keys = new Set(Object.keys(CONFIG_KEYS));
    const unknown = documents().flatMap((document) => unknownConfigKeys(document, readFileSync(join(ROOT, document), "utf8"), keys));
    expect(unknown).toEqual([]);
  });

  it("reports a key the registry does not have, in the first column of a key table only", () => {
    const keys = new Set(["domain", "services"]);
    const markdown =
      "| key | default |\n|---|---|\n| `domain`, `services.<name>.image` | `x` |\n| `etlD1DatabaseId` | — |\n\n| name | |\n|---|---|\n| `other` | |\n";
    expect(unknownConfigKeys("docs/a.md", markdown, keys)).toEqual([
      { document: "docs/a.md", reference: "etlD1DatabaseId", problem: "is not a configuration key (infra/config/keys)" },
    ]);
  });
});

describe("brokenReferences", () => {
  const paths = [
    "docs/",
    "docs/a.md",
    "docs/b.md",
    "infra/",
    "infra/catalog/",
    "infra/catalog/x.ts",
    "infra/catalog/y.ts",
    "stacks/",
    "stacks/Pulumi.fedora.yaml",
  ];
  const files: Record<string, string> = { "docs/b.md": "# Title\n\n## 4. The Fedora harness\n\n## Notes\n\n## Notes\n" };
  const check = (markdown: string) => brokenReferences("docs/a.md", markdown, paths, (p) => files[p] ?? "");

  it("reports a named path that does not exist, and none that does", () => {
    expect(check("See `infra/catalog/x.ts` and infra/catalog/z.ts.")).toEqual([
      { document: "docs/a.md", reference: "infra/catalog/z.ts", problem: "names a repository path that does not exist" },
    ]);
  });

  it("matches placeholders and globs against existing paths, and reports one that matches nothing", () => {
    expect(check("`stacks/Pulumi.<stack>.yaml`, `infra/catalog/*.ts`, `infra/<area>/`")).toEqual([]);
    expect(check("`stacks/<stack>.json`")).toHaveLength(1);
  });

  it("resolves links relative to the document and checks the heading of a fragment", () => {
    expect(check("[b](b.md) [b4](b.md#4-the-fedora-harness) [n](b.md#notes-1) [top](../docs/b.md#title)")).toEqual([]);
    expect(check("[gone](c.md) [bad](b.md#5-nothing)")).toEqual([
      { document: "docs/a.md", reference: "c.md", problem: "links to docs/c.md, which does not exist" },
      { document: "docs/a.md", reference: "b.md#5-nothing", problem: "docs/b.md has no heading with the anchor #5-nothing" },
    ]);
  });

  it("leaves external links, paths the program renders on a host and command lines alone", () => {
    expect(check("[x](https://example.com/infra/nope) `.config/containers/systemd/` `host/.config/harness/caddy/Caddyfile`")).toEqual([]);
    expect(check("`podman exec paperclip node cli/src/index.ts`")).toEqual([]);
  });

  it("takes a module named as it is imported for its .ts file", () => {
    expect(check("`infra/catalog/x` and `infra/catalog/w`")).toEqual([
      { document: "docs/a.md", reference: "infra/catalog/w", problem: "names a repository path that does not exist" },
    ]);
  });
});
