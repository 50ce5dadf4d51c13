import { describe, expect, test } from "vitest";
import { countResults, formatResultsTable } from "./formatResults";
import type { ValidationResult } from "./types";

const results: ValidationResult[] = [
  {
    validator: "quadlet",
    target: "out/web.container",
    status: "passed",
    message: "generated web.service; systemd-analyze --user verify clean",
  },
  { validator: "caddy", target: "out/Caddyfile", status: "failed", message: "Error: adapting config\nsecond line" },
  { validator: "shellcheck", target: "out/start.sh", status: "skipped", message: "SKIPPED: shellcheck not installed — run npm run tools" },
];

describe("formatResultsTable", () => {
  test("one aligned row per result, continuation lines under MESSAGE, a count that names skips", () => {
    expect(formatResultsTable(results)).toMatchSnapshot();
  });

  test("the count line never calls a skip green", () => {
    const table = formatResultsTable(results);
    expect(table.split("\n").at(-1)).toBe("1 passed, 1 failed, 1 SKIPPED (validators not installed: run npm run tools)");
  });

  test("counts", () => {
    expect(countResults(results)).toEqual({ passed: 1, failed: 1, skipped: 1, warned: 0 });
    expect(formatResultsTable([]).split("\n").at(-1)).toBe("0 passed, 0 failed");
  });
});
