/**
 * README sections generated from the code (between `<!-- BEGIN name -->` and `<!-- END name -->`), so
 * the documentation cannot drift from what the program does.
 */
import { CONFIG_KEYS } from "../infra/config/keys";
import type { ConfigKeySpec } from "../infra/config/keySpec";

/** Replaces the text between a section's markers; fails loudly unless each marker is there once, in order. */
export function replaceSection(document: string, name: string, body: string, file = "README.md"): string {
  const begin = `<!-- BEGIN ${name} -->`;
  const end = `<!-- END ${name} -->`;
  const start = document.indexOf(begin);
  const stop = document.indexOf(end);
  if (start < 0 || stop < start || document.indexOf(begin, start + 1) >= 0 || document.indexOf(end, stop + 1) >= 0) {
    throw new Error(`${file} must contain "${begin}" once, followed by "${end}"`);
  }
  return `${document.slice(0, start + begin.length)}\n${body.trimEnd()}\n${document.slice(stop)}`;
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

/** Every configuration key of every target: the reference users look up. */
export function configReferenceTable(): string {
  const rows = (Object.entries(CONFIG_KEYS) as [string, ConfigKeySpec][]).map(([name, spec]) => {
    const presence = spec.required
      ? "required"
      : spec.requiredOn
        ? `required on ${spec.requiredOn.join(", ")}`
        : spec.default !== undefined
          ? `\`${JSON.stringify(spec.default)}\``
          : "optional";
    const value = spec.secret ? `${presence}, secret` : presence;
    const example = spec.example ? ` Example: \`${spec.example}\`.` : "";
    return `| \`${name}\` | ${spec.targets.length === 4 ? "all" : spec.targets.join(", ")} | ${spec.kind} | ${value} | ${cell(spec.description + example)} |`;
  });
  return ["| key (`paperclip-harness:`…) | targets | type | default | description |", "|---|---|---|---|---|", ...rows].join("\n");
}
