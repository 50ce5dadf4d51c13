import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderShellInventory } from "./shellInventory";

describe("renderShellInventory", () => {
  it("renders the managers in a fixed order, without empty groups", () => {
    const text = renderShellInventory({
      pipx: ["httpie"],
      mise: ["python@3.12", "node@20", "ripgrep"],
      "npm-global": ["@anthropic-ai/claude-code", "@openai/codex"],
      cargo: [],
      removed: { cargo: ["fd-find"], pipx: [] },
    });
    expect(text).toMatchSnapshot();
    expect(parse(text)).toEqual({
      mise: ["python@3.12", "node@20", "ripgrep"],
      "npm-global": ["@anthropic-ai/claude-code", "@openai/codex"],
      pipx: ["httpie"],
      removed: { cargo: ["fd-find"] },
    });
  });

  it("quotes what YAML would otherwise read differently", () => {
    const text = renderShellInventory({ mise: ["yes", "1.0", "a: b", "#not-a-comment"] });
    expect(parse(text)).toEqual({ mise: ["yes", "1.0", "a: b", "#not-a-comment"] });
  });

  it("renders an empty inventory as an empty mapping", () => {
    expect(parse(renderShellInventory({ removed: {} }))).toEqual({});
  });
});
