import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { dockerfileValidator } from "./dockerfileValidator";

const directory = mkdtempSync(join(tmpdir(), "dockerfile-validator-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function check(text: string) {
  const file = join(directory, "Dockerfile");
  writeFileSync(file, text);
  return dockerfileValidator({ file });
}

const GOOD = [
  "# syntax comment",
  "ARG BASE=docker.io/library/debian:trixie-slim",
  "FROM docker.io/library/golang:1.25 AS build",
  "RUN go build \\",
  "  # a comment inside a continuation",
  "  -o /out/app .",
  "FROM ${BASE}",
  "COPY --from=build /out/app /usr/local/bin/app",
  "COPY --from=docker.io/library/busybox:1.37 /bin/busybox /bin/busybox",
  'CMD ["/usr/local/bin/app", "--serve"]',
  "",
].join("\n");

describe("dockerfileValidator", () => {
  test("a well-formed multi-stage Dockerfile passes", () => {
    expect(check(GOOD)).toMatchObject({
      validator: "dockerfile",
      status: "passed",
      message: "7 instructions in 2 stage(s): no problem (dockerfile-utils)",
    });
  });

  test("each mistake is reported with its line", () => {
    const result = check(
      [
        "RUN echo before from",
        "FROM docker.io/library/debian:trixie-slim AS base",
        "FROM docker.io/library/debian:trixie-slim AS base",
        "CPY a b",
        "RUN curl -fsSL https://example.com/install.sh | sh",
        "FROM",
      ].join("\n"),
    );
    expect(result.status).toBe("failed");
    expect(result.message.split("\n")).toEqual([
      "line 1: No source image provided with `FROM`",
      "line 2: duplicate name base",
      "line 3: duplicate name base",
      "line 4: Unknown instruction: CPY",
      "line 5: RUN pipes a download into a shell; install from a pinned, verified source instead",
      "line 6: Instruction has no arguments",
    ]);
  });

  test("a missing file fails", () => {
    expect(dockerfileValidator({ file: join(directory, "absent") }).status).toBe("failed");
  });
});
