/**
 * llama-swap's config (llama-swap.yaml): which llama.cpp server to start for each model name, on
 * which port, and which models may run together. Pure; serialised with the `yaml` library, and every
 * command line built from an argv with POSIX quoting (llama-swap splits `cmd` the way a shell does).
 */
import { stringify } from "yaml";

/**
 * The flags every model's llama-server runs with (the seeds' "mandatory flag group", from the kyuz0
 * Strix Halo reference). Changing them means re-validating the models against the resync runbook.
 */
export const MANDATORY_LLAMA_SERVER_FLAGS = [
  "--no-mmap",
  "-fa",
  "on",
  "-ngl",
  "999",
  "--batch-size",
  "4096",
  "--ubatch-size",
  "512",
  "--cache-type-k",
  "q8_0",
  "--cache-type-v",
  "q8_0",
  "--jinja",
  "--direct-io",
  "--cache-prompt",
  "--cache-reuse",
  "256",
  "--threads",
  "12",
] as const;

export interface LlamaSwapModel {
  /** The name clients ask for (`qwen3-4b`). */
  id: string;
  /** Other names for it (`local-task`). */
  aliases: readonly string[];
  /** GGUF file under the models directory (the first shard of a multi-shard model). */
  file: string;
  /** Port llama-server listens on inside the container; llama-swap proxies to 127.0.0.1 on it. */
  port: number;
  /** Seconds of idleness before the model is unloaded; 0 keeps it loaded. */
  ttl: number;
  /** Flags after the mandatory group (context size, embedding mode, chat-template options). */
  extraFlags?: readonly string[];
}

export interface LlamaSwapGroup {
  /** Only one member runs at a time. */
  swap: boolean;
  /** Starting a member unloads the models of every other group. */
  exclusive: boolean;
  members: readonly string[];
}

export interface LlamaSwapConfig {
  /** The llama-server binary inside the image. */
  serverBinary: string;
  /** Where the models directory is mounted inside the container. */
  modelsDir: string;
  /** Seconds llama-swap waits for a model to load before failing the request. */
  healthCheckTimeout: number;
  models: readonly LlamaSwapModel[];
  groups: Readonly<Record<string, LlamaSwapGroup>>;
}

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument for a POSIX shell-style split. */
export function shellWord(word: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(word)) throw new Error(`llama-swap: control character in argument ${JSON.stringify(word)}`);
  return SAFE_WORD.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export function renderLlamaSwapConfig(config: LlamaSwapConfig): string {
  const ids = new Set<string>();
  const ports = new Set<number>();
  for (const model of config.models) {
    for (const name of [model.id, ...model.aliases]) {
      if (ids.has(name)) throw new Error(`llama-swap: model name ${name} is used twice`);
      ids.add(name);
    }
    if (ports.has(model.port)) throw new Error(`llama-swap: port ${model.port} is used twice`);
    ports.add(model.port);
    if (model.file.includes("/") || model.file.startsWith("."))
      throw new Error(`llama-swap: model file must be a plain file name: ${model.file}`);
  }
  const grouped = new Set<string>();
  for (const [name, group] of Object.entries(config.groups)) {
    for (const member of group.members) {
      if (!config.models.some((m) => m.id === member)) throw new Error(`llama-swap: group ${name} lists unknown model ${member}`);
      if (grouped.has(member)) throw new Error(`llama-swap: model ${member} is in two groups`);
      grouped.add(member);
    }
  }

  const document = {
    healthCheckTimeout: config.healthCheckTimeout,
    models: Object.fromEntries(
      config.models.map((model) => [
        model.id,
        {
          cmd: [
            config.serverBinary,
            "--host",
            "127.0.0.1",
            "--port",
            String(model.port),
            "--model",
            `${config.modelsDir}/${model.file}`,
            ...MANDATORY_LLAMA_SERVER_FLAGS,
            ...(model.extraFlags ?? []),
          ]
            .map(shellWord)
            .join(" "),
          // llama-server shares llama-swap's network namespace: loopback, never the container's DNS
          // name (a self-lookup through netavark 502s under the harness's DNS redirection).
          proxy: `http://127.0.0.1:${model.port}`,
          ...(model.aliases.length > 0 ? { aliases: [...model.aliases] } : {}),
          ttl: model.ttl,
        },
      ]),
    ),
    groups: Object.fromEntries(
      Object.entries(config.groups).map(([name, group]) => [
        name,
        { swap: group.swap, exclusive: group.exclusive, members: [...group.members] },
      ]),
    ),
  };
  return `# Managed by paperclip-harness (Pulumi).\n${stringify(document, { lineWidth: 0 })}`;
}
