import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { LOCAL_MODELS } from "../../infra/catalog/llama-swap";
import { MANDATORY_LLAMA_SERVER_FLAGS, renderLlamaSwapConfig, shellWord, type LlamaSwapConfig } from "./renderLlamaSwapConfig";

const CONFIG: LlamaSwapConfig = {
  serverBinary: "/app/llama-server",
  modelsDir: "/models",
  healthCheckTimeout: 600,
  models: LOCAL_MODELS,
  groups: {
    task: { swap: true, exclusive: false, members: ["qwen3-4b"] },
    heavy: { swap: true, exclusive: true, members: ["gpt-oss-120b", "qwen3-30b"] },
    embeddings: { swap: true, exclusive: false, members: ["qwen3-embedding"] },
  },
};

interface Parsed {
  models: Record<string, { cmd: string; proxy: string; ttl: number; aliases?: string[] }>;
  groups: Record<string, { swap: boolean; exclusive: boolean; members: string[] }>;
}

describe("renderLlamaSwapConfig", () => {
  const text = renderLlamaSwapConfig(CONFIG);
  const parsed = parse(text) as Parsed;

  it("renders the seeds' four models", () => {
    expect(text).toMatchSnapshot();
    expect(Object.keys(parsed.models)).toEqual(["qwen3-4b", "gpt-oss-120b", "qwen3-30b", "qwen3-embedding"]);
    expect(parsed.models["qwen3-4b"]!.aliases).toEqual(["local-task"]);
    expect(parsed.models["gpt-oss-120b"]!.aliases).toEqual(["local-heavy"]);
    expect(parsed.models["qwen3-30b"]!.aliases).toEqual(["qwen3-30b-coder"]);
    expect(parsed.models["qwen3-embedding"]!.aliases).toEqual(["local-embeddings"]);
  });

  it("gives every model the mandatory llama-server flag group, verbatim and in order", () => {
    const group =
      "--no-mmap -fa on -ngl 999 --batch-size 4096 --ubatch-size 512 --cache-type-k q8_0 --cache-type-v q8_0 --jinja --direct-io --cache-prompt --cache-reuse 256 --threads 12";
    expect(MANDATORY_LLAMA_SERVER_FLAGS.join(" ")).toBe(group);
    for (const model of Object.values(parsed.models)) expect(model.cmd).toContain(group);
  });

  it("proxies every model to 127.0.0.1 on its own port, never to a container name", () => {
    const proxies = Object.values(parsed.models).map((m) => m.proxy);
    for (const proxy of proxies) expect(proxy).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new Set(proxies).size).toBe(proxies.length);
    for (const [id, model] of Object.entries(parsed.models)) {
      expect(model.cmd).toContain(`--host 127.0.0.1 --port ${model.proxy.split(":").at(-1)}`);
      expect(model.cmd, id).toMatch(/^\/app\/llama-server /);
    }
  });

  it("keeps the seeds' TTLs and groups (heavy is exclusive)", () => {
    expect(Object.fromEntries(Object.entries(parsed.models).map(([id, m]) => [id, m.ttl]))).toEqual({
      "qwen3-4b": 0,
      "gpt-oss-120b": 600,
      "qwen3-30b": 600,
      "qwen3-embedding": 0,
    });
    expect(parsed.groups.heavy).toEqual({ swap: true, exclusive: true, members: ["gpt-oss-120b", "qwen3-30b"] });
    expect(parsed.groups.task!.exclusive).toBe(false);
    expect(parsed.groups.embeddings!.members).toEqual(["qwen3-embedding"]);
  });

  it("runs gpt-oss-120b with a 65k context and high reasoning effort, quoted for llama-swap's split", () => {
    expect(parsed.models["gpt-oss-120b"]!.cmd).toContain(`--ctx-size 65536 --chat-template-kwargs '{"reasoning_effort":"high"}'`);
    expect(parsed.models["gpt-oss-120b"]!.cmd).toContain("--model /models/gpt-oss-120b-UD-Q8_K_XL-00001-of-00002.gguf");
  });

  it("quotes arguments the way a POSIX shell split reads them back", () => {
    expect(shellWord("plain-word_1.0")).toBe("plain-word_1.0");
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
    expect(() => shellWord("a\nb")).toThrow(/control character/);
  });

  it("refuses inconsistent tables", () => {
    expect(() =>
      renderLlamaSwapConfig({ ...CONFIG, models: [...CONFIG.models, { ...CONFIG.models[0]!, id: "copy", aliases: [] }] }),
    ).toThrow("llama-swap: port 10001 is used twice");
    expect(() => renderLlamaSwapConfig({ ...CONFIG, groups: { task: { swap: true, exclusive: false, members: ["nope"] } } })).toThrow(
      "llama-swap: group task lists unknown model nope",
    );
    expect(() =>
      renderLlamaSwapConfig({
        ...CONFIG,
        groups: { a: { swap: true, exclusive: false, members: ["qwen3-4b"] }, b: { swap: true, exclusive: false, members: ["qwen3-4b"] } },
      }),
    ).toThrow("llama-swap: model qwen3-4b is in two groups");
    expect(() => renderLlamaSwapConfig({ ...CONFIG, models: [{ ...CONFIG.models[0]!, file: "../etc/passwd" }] })).toThrow(
      /plain file name/,
    );
  });
});
