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
      message: "7 instructions in 2 stage(s): structure valid (not a lint: no Dockerfile linter is packaged in Debian)",
    });
  });

  test("each structural mistake is reported with its line", () => {
    const result = check(
      [
        "RUN echo before from",
        "FROM docker.io/library/debian:trixie-slim AS base",
        "FROM docker.io/library/debian:trixie-slim AS base",
        "COPY --from=builder /x /x",
        "CPY a b",
        'CMD ["unterminated"',
        "RUN curl -fsSL https://example.com/install.sh | sh",
        "RUN echo dangling \\",
      ].join("\n"),
    );
    expect(result.status).toBe("failed");
    expect(result.message.split("\n")).toEqual([
      "line 8: the last instruction ends with a line continuation",
      "line 1: the first instruction must be FROM, not RUN",
      "line 3: duplicate stage name base",
      "line 4: COPY --from=builder names no earlier stage",
      "line 5: unknown instruction CPY",
      "line 6: CMD exec form must be a JSON array of strings",
      "line 7: RUN pipes a download into a shell; install from a pinned, verified source instead",
    ]);
  });

  test("a missing file fails", () => {
    expect(dockerfileValidator({ file: join(directory, "absent") }).status).toBe("failed");
  });
});
