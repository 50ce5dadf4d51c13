/**
 * Runs the Pulumi program offline: the real `infra/program`, the SDK's own mock runtime, the
 * stack's YAML config as the CLI would pass it, and a monitor that records every registration.
 * What it records is what `pulumi preview` would send to the engine (inputs, parents, dependencies,
 * options), without a CLI, plugins or credentials.
 */
import { program } from "../../infra/program";
import { recordProgram } from "./recordProgram";
import type { RecordedResource, RecordingMonitor } from "./RecordingMonitor";
import { readProjectFile, readStackSettings } from "./stackSettings";

export interface Recording {
  project: string;
  stack: string;
  stackFile: string;
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  /** Every secret value the offline providers fabricated (for leak scans). */
  producedSecrets: readonly string[];
  /** Config values that are secret (operator credentials), for leak scans too. */
  secretConfigValues: readonly string[];
}

export interface RecordOptions {
  /** Repository root (where Pulumi.yaml is). */
  root: string;
  stack: string;
  /** Override config values (`namespace:key` → string), applied over the stack file. */
  configOverrides?: Record<string, string>;
  /** Replace the stack file's config entirely (tests of bad input). */
  config?: { values: Record<string, string>; secretKeys: string[] };
  /** Called with the monitor before the program runs, so a caller can see what was registered even if it throws. */
  onMonitor?: (monitor: RecordingMonitor) => void;
}

/** Records one stack. Throws what the program throws (a ConfigError for bad config). */
export async function recordStack(options: RecordOptions): Promise<Recording> {
  const project = readProjectFile(options.root);
  const settings = options.config
    ? { config: options.config.values, secretKeys: options.config.secretKeys, file: `stacks/Pulumi.${options.stack}.yaml` }
    : readStackSettings(options.root, project, options.stack);
  const config = { ...settings.config, ...options.configOverrides };

  const recording = await recordProgram(program, {
    project: project.name,
    stack: options.stack,
    config: { values: config, secretKeys: settings.secretKeys },
    ...(options.onMonitor ? { onMonitor: options.onMonitor } : {}),
  });

  return {
    project: project.name,
    stack: options.stack,
    stackFile: settings.file,
    resources: recording.resources,
    outputs: recording.outputs,
    producedSecrets: recording.producedSecrets,
    secretConfigValues: settings.secretKeys.flatMap((key) => secretLeaves(config[key])),
  };
}

/** The string leaves of a secret config value (structured values are JSON). */
function secretLeaves(value: string | undefined): string[] {
  if (value === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    const leaves: string[] = [];
    const walk = (v: unknown) => {
      if (typeof v === "string") leaves.push(v);
      else if (v && typeof v === "object") Object.values(v).forEach(walk);
    };
    walk(parsed);
    return leaves.length > 0 ? leaves : [value];
  } catch {
    return [value];
  }
}
