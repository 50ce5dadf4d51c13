import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import type { ValidationResult } from "./types";

/** The external programs the validators run. */
export type ToolName = "quadlet" | "systemd-analyze" | "caddy" | "shellcheck" | "postconf" | "ssh-keygen";

/** Where scripts/install-validators.sh puts the tools: <repo>/.tools/bin. */
export const REPO_TOOLS_BIN = path.resolve(__dirname, "..", "..", ".tools", "bin");

export interface ToolLookup {
  /** Environment to read PATH and CI from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Directory searched before PATH; defaults to REPO_TOOLS_BIN. */
  toolsBin?: string;
}

function isExecutableFile(candidate: string): boolean {
  try {
    accessSync(candidate, constants.X_OK);
    return statSync(candidate).isFile();
  } catch {
    return false;
  }
}

/** Tools Debian installs in sbin, which a non-root user's PATH usually lacks. */
const SBIN_TOOLS: ReadonlySet<ToolName> = new Set(["postconf"]);

/**
 * Finds a tool: `.tools/bin/<tool>` first (the pinned version), then PATH — and, for sbin tools in
 * this process's own environment, sbin. A caller that passes an environment gets exactly its PATH.
 */
export function findTool(tool: ToolName, lookup: ToolLookup = {}): string | undefined {
  const env = lookup.env ?? process.env;
  const directories = [
    lookup.toolsBin ?? REPO_TOOLS_BIN,
    ...(env.PATH ?? "").split(path.delimiter),
    ...(SBIN_TOOLS.has(tool) && lookup.env === undefined ? ["/usr/sbin", "/sbin"] : []),
  ];
  for (const directory of directories) {
    if (directory === "") continue;
    const candidate = path.join(directory, tool);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** CI runs with CI=true; there a missing validator is a failure, never a skip. */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === "true";
}

export function missingToolMessage(tool: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  return isCi(env)
    ? `FAILED: ${tool} not installed (CI=true: a missing validator fails) — run npm run tools`
    : `SKIPPED: ${tool} not installed — run npm run tools`;
}

/** The result for a target whose validator is absent: skipped on a developer machine, failed in CI. */
export function missingToolResult(
  validator: string,
  target: string,
  tool: ToolName,
  env: NodeJS.ProcessEnv = process.env,
): ValidationResult {
  return { validator, target, status: isCi(env) ? "failed" : "skipped", message: missingToolMessage(tool, env) };
}
