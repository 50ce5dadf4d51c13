import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_KEYS } from "../infra/config/keys";
import { renderProjectFile } from "./projectFile";

describe("Pulumi.yaml", () => {
  const project = parse(renderProjectFile()) as {
    name: string;
    main: string;
    stackConfigDir: string;
    runtime: { name: string; options: { typescript: boolean } };
    config: Record<string, { type: string; default?: unknown; description: string }>;
  };

  it("is a TypeScript nodejs project whose program is infra/ and whose stacks live in stacks/", () => {
    expect(project).toMatchObject({ name: "paperclip-harness", main: "infra/", stackConfigDir: "stacks" });
    expect(project.runtime).toEqual({ name: "nodejs", options: { typescript: true, packagemanager: "npm" } });
  });

  it("declares target without a default, so every stack must choose one", () => {
    expect(project.config.target).toEqual({ type: "string", description: CONFIG_KEYS.target.description });
  });

  it("declares every other key with its default, and no key without one (it would be required on every stack)", () => {
    for (const [name, declaration] of Object.entries(project.config)) {
      if (name === "target") continue;
      const spec = (CONFIG_KEYS as Record<string, { default?: unknown; kind: string }>)[name]!;
      expect(declaration.default).toEqual(spec.default);
      expect(declaration.type).toBe(spec.kind);
    }
  });
});
