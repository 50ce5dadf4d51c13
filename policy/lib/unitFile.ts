/**
 * Reading systemd and Quadlet unit files: sections of repeatable keys, systemd's word quoting, and
 * the escapes the project's renderer (components/podman/renderUnit.ts) writes (`%%` for a literal %
 * and `$$` for a literal $ in every value Quadlet copies to the podman command line).
 */

export interface UnitEntry {
  key: string;
  value: string;
  line: number;
}

export interface ParsedUnit {
  sections: Map<string, UnitEntry[]>;
}

export function parseUnitFile(text: string): ParsedUnit {
  const sections = new Map<string, UnitEntry[]>();
  let current: UnitEntry[] | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const number = i + 1;
    // A trailing backslash continues the value on the next line.
    while (line.endsWith("\\") && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]!.trimStart()}`;
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";")) continue;
    const section = /^\[([^\]]+)\]$/.exec(trimmed);
    if (section) {
      current = sections.get(section[1]!) ?? [];
      sections.set(section[1]!, current);
      continue;
    }
    const eq = trimmed.indexOf("=");
    if (eq <= 0 || !current) continue;
    current.push({ key: trimmed.slice(0, eq).trim(), value: trimmed.slice(eq + 1).trim(), line: number });
  }
  return { sections };
}

export function values(unit: ParsedUnit, section: string, key: string): string[] {
  return (unit.sections.get(section) ?? []).filter((e) => e.key === key).map((e) => e.value);
}

export function lastValue(unit: ParsedUnit, section: string, key: string): string | undefined {
  return values(unit, section, key).at(-1);
}

/** systemd's word splitting: whitespace-separated, "double" or 'single' quoted, with C escapes in quotes. */
export function splitWords(value: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < value.length) {
    while (i < value.length && /\s/.test(value[i]!)) i++;
    if (i >= value.length) break;
    let word = "";
    while (i < value.length && !/\s/.test(value[i]!)) {
      const c = value[i]!;
      if (c === '"' || c === "'") {
        const quote = c;
        i++;
        while (i < value.length && value[i] !== quote) {
          if (value[i] === "\\" && i + 1 < value.length) {
            word += value[i + 1];
            i += 2;
          } else {
            word += value[i++];
          }
        }
        i++;
      } else if (c === "\\" && i + 1 < value.length) {
        word += value[i + 1];
        i += 2;
      } else {
        word += c;
        i++;
      }
    }
    words.push(word);
  }
  return words;
}

/** The literal text behind the renderer's escapes: `%%` → `%`, and (Quadlet values) `$$` → `$`. */
export function unescapeValue(text: string, dollars: boolean): string {
  const percent = text.replaceAll("%%", "%");
  return dollars ? percent.replaceAll("$$", "$") : percent;
}

/** `Environment=` words as NAME → value. */
export function environmentAssignments(value: string, dollars: boolean): { name: string; value: string }[] {
  return splitWords(value).flatMap((word) => {
    const eq = word.indexOf("=");
    if (eq <= 0) return [];
    return [{ name: word.slice(0, eq), value: unescapeValue(word.slice(eq + 1), dollars) }];
  });
}

/** An env file's `NAME=value` lines (comments and blank lines skipped, optional quotes removed). */
export function parseEnvFile(text: string): { name: string; value: string }[] {
  return text.split(/\r?\n/).flatMap((line) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return [];
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(trimmed);
    if (!match) return [];
    let value = match[2]!;
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) value = value.slice(1, -1);
    return [{ name: match[1]!, value }];
  });
}

/** `Secret=name[,type=env|mount][,target=…]` (type defaults to mount; an env target defaults to the name). */
export function parseSecretReference(value: string): { name: string; type: "env" | "mount"; target: string } {
  const [name = "", ...options] = value.split(",");
  const option = (key: string) => options.find((o) => o.startsWith(`${key}=`))?.slice(key.length + 1);
  const type = option("type") === "env" ? "env" : "mount";
  return { name, type, target: option("target") ?? (type === "env" ? name : `/run/secrets/${name}`) };
}

export interface PublishSpec {
  hostIp?: string;
  hostPort?: number;
  containerPort: number;
  protocol: string;
}

/** `[[ip:][hostPort]:]containerPort[/proto]`, with `[::1]` for IPv6 addresses. */
export function parsePublishPort(spec: string): PublishSpec | undefined {
  const [address = "", protocol = "tcp"] = spec.split("/");
  let rest = address;
  let hostIp: string | undefined;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  if (v6) {
    hostIp = v6[1];
    rest = v6[2]!;
  }
  const parts = rest.split(":");
  if (!v6 && parts.length === 3) hostIp = parts.shift();
  const containerPort = Number(parts.pop());
  const hostPart = parts.pop();
  if (!Number.isInteger(containerPort)) return undefined;
  return {
    ...(hostIp ? { hostIp } : {}),
    ...(hostPart ? { hostPort: Number(hostPart) } : {}),
    containerPort,
    protocol,
  };
}

/** Values of `--flag value`, `--flag=value` and short `-f value` options in an argument list. */
export function optionValues(args: readonly string[], long: string, short?: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === long || (short !== undefined && arg === short)) {
      if (i + 1 < args.length) found.push(args[++i]!);
    } else if (arg.startsWith(`${long}=`)) {
      found.push(arg.slice(long.length + 1));
    } else if (short !== undefined && arg.startsWith(short) && !arg.startsWith("--") && arg.length > short.length) {
      found.push(arg.slice(short.length));
    }
  }
  return found;
}
