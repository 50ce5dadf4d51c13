import type { ValidationResult, ValidatorStatus } from "./types";

const STATUS_LABEL: Record<ValidatorStatus, string> = { passed: "PASS", failed: "FAIL", skipped: "SKIP", warned: "WARN" };

export interface ResultCounts {
  passed: number;
  failed: number;
  skipped: number;
  warned: number;
}

export function countResults(results: readonly ValidationResult[]): ResultCounts {
  const counts: ResultCounts = { passed: 0, failed: 0, skipped: 0, warned: 0 };
  for (const result of results) counts[result.status] += 1;
  return counts;
}

/**
 * A plain-text table, one row per result; a multi-line message continues under the MESSAGE column.
 * Ends with a count line that names skipped validators, so a skip never reads as green (pure).
 */
export function formatResultsTable(results: readonly ValidationResult[]): string {
  const header = { status: "STATUS", validator: "VALIDATOR", target: "TARGET" };
  const statusWidth = header.status.length;
  const validatorWidth = Math.max(header.validator.length, ...results.map((result) => result.validator.length));
  const targetWidth = Math.max(header.target.length, ...results.map((result) => result.target.length));
  const indent = " ".repeat(statusWidth + validatorWidth + targetWidth + 6);
  const row = (status: string, validator: string, target: string, message: string) =>
    `${status.padEnd(statusWidth)}  ${validator.padEnd(validatorWidth)}  ${target.padEnd(targetWidth)}  ${message}`.trimEnd();
  const lines = [row(header.status, header.validator, header.target, "MESSAGE")];
  for (const result of results) {
    const [first = "", ...rest] = result.message.split("\n");
    lines.push(row(STATUS_LABEL[result.status], result.validator, result.target, first));
    for (const continuation of rest) lines.push(`${indent}${continuation}`);
  }
  const counts = countResults(results);
  let summary = `${counts.passed} passed, ${counts.failed} failed`;
  if (counts.warned > 0) summary += `, ${counts.warned} advisory (not failing)`;
  if (counts.skipped > 0) summary += `, ${counts.skipped} SKIPPED (validators not installed: run npm run tools)`;
  lines.push(summary);
  return lines.join("\n");
}
