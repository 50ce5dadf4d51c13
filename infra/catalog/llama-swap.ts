import { renderLlamaSwapConfig, type LlamaSwapModel } from "../../components/llamaswap/renderLlamaSwapConfig";
import type { ServiceDefinition } from "./types";

export const LLAMA_SWAP_PORT = 8080;
/** The base URL LiteLLM (and only LiteLLM, over their edge network) uses. */
export const llamaSwapBaseUrl = `http://llama-swap:${LLAMA_SWAP_PORT}/v1`;
const MODELS_DIR = "/models";

/** A local model, and the gateway alias LiteLLM publishes it under (system.md §4). */
export interface LocalModel extends LlamaSwapModel {
  gatewayAlias?: string;
  mode?: "chat" | "embedding";
}

/**
 * The four local models of the seeds. File names are the contract with the models directory
 * (`~/.local/share/llama-models`, raw GGUF; a multi-shard model is named by its first shard).
 */
export const LOCAL_MODELS: readonly LocalModel[] = [
  {
    id: "qwen3-4b",
    aliases: ["local-task"],
    gatewayAlias: "local-task",
    file: "Qwen3-4B-Instruct-2507-Q8_0.gguf",
    port: 10001,
    ttl: 0,
  },
  {
    id: "gpt-oss-120b",
    aliases: ["local-heavy"],
    gatewayAlias: "local-heavy",
    file: "gpt-oss-120b-UD-Q8_K_XL-00001-of-00002.gguf",
    port: 10002,
    ttl: 600,
    extraFlags: ["--ctx-size", "65536", "--chat-template-kwargs", '{"reasoning_effort":"high"}'],
  },
  {
    id: "qwen3-30b",
    aliases: ["qwen3-30b-coder"],
    file: "Qwen3-Coder-30B-A3B-Instruct-Q8_0.gguf",
    port: 10003,
    ttl: 600,
  },
  {
    id: "qwen3-embedding",
    aliases: ["local-embeddings"],
    gatewayAlias: "local-embeddings",
    mode: "embedding",
    file: "Qwen3-Embedding-8B-Q8_0.gguf",
    port: 10004,
    ttl: 0,
    extraFlags: ["--embedding", "--pooling", "last"],
  },
];

/**
 * Hot-swaps llama.cpp servers by model name. Vulkan (RADV), not ROCm: the seeds' production posture
 * on the Strix Halo iGPU. Only LiteLLM reaches it (their edge network).
 */
export const llamaSwap: ServiceDefinition = () => ({
  name: "llama-swap",
  description: "llama-swap: local models (llama.cpp, Vulkan)",
  // A versioned build (llama-swap v258 with llama.cpp b11176) instead of the floating `vulkan` tag.
  image: "ghcr.io/mostlygeek/llama-swap:v258-vulkan-b11176",
  // Not published on the host: LiteLLM alone reaches it, over their edge network.
  ports: [{ container: LLAMA_SWAP_PORT, posture: "internal", purpose: "OpenAI-compatible API (LiteLLM only)" }],
  // /dev/kfd and HSA_OVERRIDE_GFX_VERSION serve ROCm, kept for it (gfx1151 reports as gfx1100).
  devices: ["/dev/dri", "/dev/kfd"],
  // Only `video`: keep-groups and render break under rootless Podman (seeds).
  groups: ["video"],
  env: { HSA_OVERRIDE_GFX_VERSION: "11.0.0" },
  volumes: [
    // `z` (shared), not `Z`: a large read-only store the operator fills from the host, whose label
    // must not be tied to one container's categories (a private label would be re-applied to ~100 GB).
    { kind: "host", hostPath: "%h/.local/share/llama-models", mountPath: MODELS_DIR, readOnly: true, selinux: "shared" },
  ],
  configFiles: [
    {
      name: "llama-swap.yaml",
      mountPath: "/app/config.yaml",
      content: renderLlamaSwapConfig({
        serverBinary: "/app/llama-server",
        modelsDir: MODELS_DIR,
        // gpt-oss-120b (~65 GB) loads from disk without mmap: minutes, not seconds.
        healthCheckTimeout: 600,
        models: LOCAL_MODELS,
        groups: {
          task: { swap: true, exclusive: false, members: ["qwen3-4b"] },
          heavy: { swap: true, exclusive: true, members: ["gpt-oss-120b", "qwen3-30b"] },
          embeddings: { swap: true, exclusive: false, members: ["qwen3-embedding"] },
        },
      }),
    },
  ],
  restart: "always",
});
