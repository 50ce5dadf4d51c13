/**
 * The Dockerfile linter of the Docker language server (dockerfile-utils, on npm; hadolint is in
 * neither npm nor Debian): unknown instructions, no FROM first, duplicate stage names, malformed
 * flags and instructions, each with its line. On top of it, one rule of our own, the seeds' lesson:
 * no download piped into a shell. The Fly Dockerfile's content is asserted by its renderer's tests.
 */
import { readFileSync } from "node:fs";
import { DockerfileParser } from "dockerfile-ast";
import { validate } from "dockerfile-utils";
import type { ValidationResult } from "./types";

export interface DockerfileValidationOptions {
  file: string;
}

/** dockerfile-utils' severities (LSP's DiagnosticSeverity): 1 error, 2 warning. */
const ERROR = 1;
const PIPED_DOWNLOAD = /\b(curl|wget)\b[^|]*\|\s*(sudo\s+)?(ba|da|z)?sh\b/;

export function dockerfileValidator(options: DockerfileValidationOptions): ValidationResult {
  const fail = (message: string): ValidationResult => ({ validator: "dockerfile", target: options.file, status: "failed", message });
  let text: string;
  try {
    text = readFileSync(options.file, "utf8");
  } catch (error) {
    return fail((error as Error).message);
  }
  const problems = validate(text)
    .filter((diagnostic) => diagnostic.severity === ERROR)
    .map((diagnostic) => ({
      line: diagnostic.range.start.line + 1,
      message: typeof diagnostic.message === "string" ? diagnostic.message : diagnostic.message.value,
    }));
  const instructions = DockerfileParser.parse(text).getInstructions();
  for (const instruction of instructions) {
    if (instruction.getKeyword() === "RUN" && PIPED_DOWNLOAD.test(instruction.getRawArgumentsContent() ?? "")) {
      problems.push({
        line: instruction.getRange().start.line + 1,
        message: "RUN pipes a download into a shell; install from a pinned, verified source instead",
      });
    }
  }
  if (problems.length > 0)
    return fail(
      problems
        .sort((a, b) => a.line - b.line)
        .map((p) => `line ${p.line}: ${p.message}`)
        .join("\n"),
    );
  const stages = instructions.filter((i) => i.getKeyword() === "FROM").length;
  return {
    validator: "dockerfile",
    target: options.file,
    status: "passed",
    message: `${instructions.length} instructions in ${stages} stage(s): no problem (dockerfile-utils)`,
  };
}
