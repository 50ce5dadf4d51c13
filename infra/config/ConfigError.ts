import * as pulumi from "@pulumi/pulumi";

/** One problem with one configuration value. */
export interface ConfigProblem {
  /** Full key, with namespace and path: `paperclip-harness:services.paperclip.image`. */
  key: string;
  /** What was found, already rendered for display (secrets are never rendered). */
  found?: string;
  /** What was expected, as a sentence fragment. */
  expected: string;
}

/**
 * Every problem in a stack's configuration, reported together. It extends Pulumi's RunError so that
 * `pulumi up` prints the message without a stack trace: these are user mistakes, not program bugs.
 */
export class ConfigError extends pulumi.RunError {
  readonly problems: readonly ConfigProblem[];
  readonly stackFile: string;

  constructor(stackFile: string, problems: readonly ConfigProblem[]) {
    super(formatProblems(stackFile, problems));
    this.name = "ConfigError";
    this.stackFile = stackFile;
    this.problems = problems;
  }

  static isConfigError(this: void, error: unknown): error is ConfigError {
    return error instanceof Error && error.name === "ConfigError" && "problems" in error;
  }
}

export function formatProblems(stackFile: string, problems: readonly ConfigProblem[]): string {
  const heading =
    problems.length === 1 ? `${stackFile}: 1 configuration problem:` : `${stackFile}: ${problems.length} configuration problems:`;
  const lines = problems.map((p) => escapeForDisplay(`  - ${p.key}${p.found === undefined ? "" : ` = ${p.found}`}: ${p.expected}`));
  return [escapeForDisplay(heading), ...lines].join("\n");
}

/**
 * Control, format and line-separator characters as `\u{…}` escapes: a message quotes what the
 * operator typed, and a raw escape sequence or bidirectional override must not reach their terminal.
 */
export function escapeForDisplay(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/** Renders a found value for an error message: short, quoted, one line. */
export function displayValue(value: unknown): string {
  const text = escapeForDisplay(JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
