import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { buildMcpWorkerBundle } from "./bundle";

const TSX = path.resolve(__dirname, "../../node_modules/.bin/tsx");

describe("buildMcpWorkerBundle", () => {
  it("is byte-identical from one build to the next", () => {
    expect(buildMcpWorkerBundle()).toBe(buildMcpWorkerBundle());
  });

  it("does not depend on the directory the program runs in", () => {
    // A separate process: esbuild reads the working directory once, when it is loaded.
    const elsewhere = execFileSync(
      TSX,
      ["-e", `process.stdout.write(require(${JSON.stringify(path.join(__dirname, "bundle"))}).buildMcpWorkerBundle())`],
      { cwd: tmpdir(), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    expect(elsewhere).toBe(buildMcpWorkerBundle());
  });

  it("is one self-contained ES module exporting the handlers", () => {
    const bundle = buildMcpWorkerBundle();
    expect(bundle).not.toMatch(/^\s*import\b/m);
    // esbuild leaves a `__require` shim (which throws "Dynamic require of …") for a module it could not
    // bundle; ajv's generated-code templates mention require() only as strings.
    expect(bundle).not.toContain("Dynamic require of");
    expect(bundle).toMatch(/^export \{\s*\w+ as default\s*\};$/m);
  });
});
