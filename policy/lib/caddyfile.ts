/**
 * Just enough of the Caddyfile's structure for the edge policies: its top-level blocks (global
 * options, snippets, sites) and, for a site, whether it refuses connections that do not come from a
 * listed set of client addresses (Caddyfile reference: `import`, named matchers, `remote_ip`,
 * `respond`, `abort`, `error`). Anything it does not recognise counts as no guard: a policy built on
 * it errs towards reporting.
 */

export interface CaddyBlock {
  /** The text before the opening brace: site addresses, `(snippet)`, or "" for global options. */
  label: string;
  /** The lines between the braces, comments removed. */
  lines: string[];
}

/** A comment starts at `#` at the beginning of a token, outside quotes. */
function withoutComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "\\") i++;
    else if (c === '"') quoted = !quoted;
    else if (c === "#" && !quoted && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/** `{` and `}` outside quotes, in order. */
function braces(line: string): string[] {
  const found: string[] = [];
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "\\") i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "{" || c === "}")) found.push(c);
  }
  return found;
}

export function topLevelBlocks(text: string): CaddyBlock[] {
  const blocks: CaddyBlock[] = [];
  let depth = 0;
  let current: CaddyBlock | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = withoutComment(raw).trim();
    if (line === "") continue;
    const before = depth;
    for (const brace of braces(line)) depth += brace === "{" ? 1 : -1;
    if (before === 0 && depth > 0) {
      current = { label: line.slice(0, line.indexOf("{")).trim(), lines: [] };
      blocks.push(current);
    } else if (before > 0 && depth === 0) {
      current = undefined;
    } else if (current) {
      current.lines.push(line);
    }
  }
  return blocks;
}

export const isSnippet = (block: CaddyBlock): boolean => /^\(.+\)$/.test(block.label);
export const isSite = (block: CaddyBlock): boolean => block.label !== "" && !isSnippet(block);

/** The site's lines with each `import <snippet>` replaced by the snippet's lines (snippets of snippets too). */
export function expandedLines(site: CaddyBlock, blocks: readonly CaddyBlock[]): string[] {
  const snippets = new Map(blocks.filter(isSnippet).map((b) => [b.label.slice(1, -1), b.lines]));
  const expand = (lines: readonly string[], seen: ReadonlySet<string>): string[] =>
    lines.flatMap((line) => {
      const name = /^import\s+(\S+)$/.exec(line)?.[1];
      const body = name === undefined ? undefined : snippets.get(name);
      if (name === undefined || body === undefined || seen.has(name)) return [line];
      return expand(body, new Set([...seen, name]));
    });
  return expand(site.lines, new Set());
}

export type SourceGuard = { kind: "none" } | { kind: "all" } | { kind: "allowed"; sources: string[] };

const REFUSES = (matcher: string) =>
  new RegExp(`^(?:respond\\s+${matcher}\\b.*\\b403|abort\\s+${matcher}|error\\s+${matcher}\\b.*\\b403)\\s*$`);

/**
 * How a site refuses clients by address: `all` when its first directive refuses every request,
 * `allowed` with the addresses a `@m not remote_ip …` matcher lets through when `@m` is refused
 * with a 403 or an abort, `none` otherwise.
 */
export function sourceGuardOf(lines: readonly string[]): SourceGuard {
  const first = lines[0];
  if (first !== undefined && /^(?:respond\s+(?:"[^"]*"\s+)?403|abort|error\s+(?:"[^"]*"\s+)?403)\s*$/.test(first)) return { kind: "all" };
  for (const line of lines) {
    const matcher = /^(@[\w-]+)\s+not\s+remote_ip\s+(.+)$/.exec(line);
    if (!matcher) continue;
    const name = matcher[1]!;
    if (lines.some((l) => REFUSES(name).test(l))) return { kind: "allowed", sources: matcher[2]!.trim().split(/\s+/) };
  }
  return { kind: "none" };
}

/** The upstreams a site proxies to (`reverse_proxy [matcher] <upstream>…`). */
export function reverseProxyUpstreams(lines: readonly string[]): string[] {
  return lines.flatMap((line) => {
    const match = /^reverse_proxy\s+(?:[@/]\S*\s+)?(\S+)/.exec(line);
    return match ? [match[1]!] : [];
  });
}
