import type { TestContext } from "vitest";
import { findTool, isCi, missingToolMessage, type ToolName } from "./tools";

/**
 * Test-side tool discovery, the same as the validators': returns the tool's path, or — when it is
 * absent — skips the test loudly on a developer machine and FAILS it when CI=true.
 */
export function requireTool(context: TestContext, tool: ToolName): string {
  const found = findTool(tool);
  if (found !== undefined) return found;
  const message = missingToolMessage(tool);
  if (isCi()) throw new Error(message);
  console.warn(`\n*** ${message} ***\n`);
  return context.skip(message);
}
