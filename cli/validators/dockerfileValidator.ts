import { readFileSync } from "node:fs";
import type { ValidationResult } from "./types";

export interface DockerfileValidationOptions {
  file: string;
}

const INSTRUCTIONS = new Set([
  "ADD",
  "ARG",
  "CMD",
  "COPY",
  "ENTRYPOINT",
  "ENV",
  "EXPOSE",
  "FROM",
  "HEALTHCHECK",
  "LABEL",
  "MAINTAINER",
  "ONBUILD",
  "RUN",
  "SHELL",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
  "WORKDIR",
]);

interface Instruction {
  line: number;
  keyword: string;
  rest: string;
}

/** Logical instructions: comments and blank lines dropped, `\` continuations joined. */
function instructions(text: string): { instructions: Instruction[]; problems: string[] } {
  const result: Instruction[] = [];
  const problems: string[] = [];
  let pending: { line: number; text: string } | undefined;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trimEnd();
    if (pending === undefined && (line.trim() === "" || line.trimStart().startsWith("#"))) return;
    if (pending !== undefined && line.trimStart().startsWith("#")) return; // comments inside a continuation
    const continues = line.endsWith("\\");
    const body = continues ? line.slice(0, -1) : line;
    pending = pending === undefined ? { line: index + 1, text: body } : { line: pending.line, text: `${pending.text} ${body.trim()}` };
    if (continues) return;
    const match = /^\s*(\S+)\s*(.*)$/.exec(pending.text);
    if (match) result.push({ line: pending.line, keyword: match[1]!.toUpperCase(), rest: match[2]! });
    pending = undefined;
  });
  if (pending !== undefined) problems.push(`line ${pending.line}: the last instruction ends with a line continuation`);
  return { instructions: result, problems };
}

/**
 * A structural check of a Dockerfile, and only that: Debian packages no Dockerfile linter (hadolint
 * is not in Debian), so `check` verifies what a build would trip over first — unknown instructions,
 * no FROM first, duplicate stage names, `COPY --from` naming no earlier stage, exec forms that are
 * not JSON string arrays, a dangling line continuation — plus the seed's lesson: no download piped
 * into a shell. The Fly Dockerfile's content is asserted by its renderer's tests.
 */
export function dockerfileValidator(options: DockerfileValidationOptions): ValidationResult {
  const fail = (message: string): ValidationResult => ({ validator: "dockerfile", target: options.file, status: "failed", message });
  let text: string;
  try {
    text = readFileSync(options.file, "utf8");
  } catch (error) {
    return fail((error as Error).message);
  }
  const parsed = instructions(text);
  const problems = [...parsed.problems];
  const stages: string[] = [];
  const firstNonArg = parsed.instructions.find((i) => i.keyword !== "ARG");
  if (!firstNonArg) problems.push("no instructions");
  else if (firstNonArg.keyword !== "FROM")
    problems.push(`line ${firstNonArg.line}: the first instruction must be FROM, not ${firstNonArg.keyword}`);

  for (const instruction of parsed.instructions) {
    const at = `line ${instruction.line}`;
    if (!INSTRUCTIONS.has(instruction.keyword)) {
      problems.push(`${at}: unknown instruction ${instruction.keyword}`);
      continue;
    }
    if (instruction.keyword === "FROM") {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.rest);
      if (!from) {
        problems.push(`${at}: FROM expects an image and an optional "AS <name>"`);
        continue;
      }
      const stage = from[2]?.toLowerCase();
      if (stage !== undefined) {
        if (stages.includes(stage)) problems.push(`${at}: duplicate stage name ${stage}`);
        stages.push(stage);
      }
    }
    if (instruction.keyword === "COPY" || instruction.keyword === "ADD") {
      const source = /--from=(\S+)/.exec(instruction.rest)?.[1];
      // A bare name is a stage (an image reference has a registry, a tag or a path).
      if (source !== undefined && /^[A-Za-z0-9_-]+$/.test(source) && !/^\d+$/.test(source) && !stages.includes(source.toLowerCase())) {
        problems.push(`${at}: COPY --from=${source} names no earlier stage`);
      }
    }
    if (["CMD", "ENTRYPOINT", "SHELL"].includes(instruction.keyword) && instruction.rest.trimStart().startsWith("[")) {
      let form: unknown;
      try {
        form = JSON.parse(instruction.rest);
      } catch {
        form = undefined;
      }
      if (!Array.isArray(form) || !form.every((part) => typeof part === "string")) {
        problems.push(`${at}: ${instruction.keyword} exec form must be a JSON array of strings`);
      }
    }
    if (instruction.keyword === "RUN" && /\b(curl|wget)\b[^|]*\|\s*(sudo\s+)?(ba|da|z)?sh\b/.test(instruction.rest)) {
      problems.push(`${at}: RUN pipes a download into a shell; install from a pinned, verified source instead`);
    }
  }

  if (problems.length > 0) return fail(problems.join("\n"));
  return {
    validator: "dockerfile",
    target: options.file,
    status: "passed",
    message: `${parsed.instructions.length} instructions in ${parsed.instructions.filter((i) => i.keyword === "FROM").length} stage(s): structure valid (not a lint: no Dockerfile linter is packaged in Debian)`,
  };
}
