import { createHash } from "node:crypto";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { buildEmailDrainBundle } from "./bundle";

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

describe("buildEmailDrainBundle", () => {
  const bundle = buildEmailDrainBundle();

  it("is byte-identical across builds and working directories", () => {
    const cwd = process.cwd();
    try {
      process.chdir(tmpdir());
      expect(sha256(buildEmailDrainBundle())).toBe(sha256(bundle));
    } finally {
      process.chdir(cwd);
    }
    expect(sha256(buildEmailDrainBundle())).toBe(sha256(bundle));
  });

  it("is one executable CommonJS file with a node shebang and no source map", () => {
    expect(bundle.startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(bundle).toContain('"use strict"');
    expect(bundle).not.toContain("sourceMappingURL");
    expect(bundle).not.toMatch(/^import /m);
  });

  it("requires nothing but Node's standard library, and embeds no absolute path", () => {
    const required = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1] ?? "");
    expect(required.length).toBeGreaterThan(0);
    for (const name of required) expect(builtinModules).toContain(name.replace(/^node:/, ""));
    expect(bundle).not.toContain(process.cwd());
  });
});
