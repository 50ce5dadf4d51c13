import { describe, expect, it } from "vitest";
import { RenderRefusal } from "../../infra/config/RenderRefusal";
import { renderClaudeCodeManagedSettings } from "./claudeCodeManagedSettings";

describe("renderClaudeCodeManagedSettings", () => {
  it("sets the gateway as every session's base URL and turns Claude Code's other traffic off", () => {
    expect(JSON.parse(renderClaudeCodeManagedSettings("http://litellm:4000"))).toEqual({
      env: { ANTHROPIC_BASE_URL: "http://litellm:4000", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" },
    });
  });

  it("names no base URL for a direct subscription, and still turns the other traffic off", () => {
    expect(JSON.parse(renderClaudeCodeManagedSettings(undefined))).toEqual({ env: { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" } });
  });

  it("refuses a gateway that is not an http(s) URL", () => {
    expect(() => renderClaudeCodeManagedSettings("litellm:4000")).toThrow(RenderRefusal);
    expect(() => renderClaudeCodeManagedSettings('http://a" b')).toThrow(/an http\(s\) URL of the gateway/);
  });
});
