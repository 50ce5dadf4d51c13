/**
 * Runs a Pulumi program under the SDK's mock runtime (as a preview) with the offline mocks and a
 * recording monitor: the one place that sets the runtime up, used for whole stacks (recordStack) and
 * for pieces of the program in tests.
 */
import * as pulumi from "@pulumi/pulumi";
import { createOfflineMocks } from "./offlineMocks";
import { RecordingMonitor, type RecordedResource } from "./RecordingMonitor";

export interface ProgramRecording {
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  /** Every secret value the offline providers fabricated (for leak scans). */
  producedSecrets: readonly string[];
}

export interface RecordProgramOptions {
  project: string;
  stack: string;
  /** Config values (`namespace:key` → string) and which are secret, as the CLI passes them. */
  config?: { values: Record<string, string>; secretKeys: readonly string[] };
  /** Called with the monitor before the program runs, so a caller can see what was registered even if it throws. */
  onMonitor?: (monitor: RecordingMonitor) => void;
}

interface RuntimeInternals {
  waitForRPCs?: () => Promise<void>;
}

/** Records what `program` registers. Throws what the program throws. */
export async function recordProgram(
  program: () => Promise<Record<string, unknown> | void> | Record<string, unknown> | void,
  options: RecordProgramOptions,
): Promise<ProgramRecording> {
  const mocks = createOfflineMocks(options.stack);
  // preview=true: the program sees what it sees under `pulumi preview`.
  await pulumi.runtime.setMocks(mocks, options.project, options.stack, true);
  const monitor = new RecordingMonitor(mocks);
  pulumi.runtime.setMockOptions(monitor, options.project, options.stack, true);
  options.onMonitor?.(monitor);
  if (options.config) pulumi.runtime.setAllConfig(options.config.values, [...options.config.secretKeys]);

  // The SDK's Stack resource also rejects its own internal promise with the program's error; Pulumi's
  // runner handles that rejection for `pulumi up`, and so must we, or Node exits on it.
  const absorb = (reason: unknown) => {
    if (!(reason instanceof Error)) throw reason;
  };
  process.on("unhandledRejection", absorb);
  // The SDK formats a full stack trace for every resource it registers (its source position, which
  // the recording does not keep); with tsx's source maps on, each is source-mapped, about five times
  // the cost. Off while the program runs, back on for whatever is printed afterwards.
  const sourceMaps = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(false);
  try {
    const outputs = (await pulumi.runtime.runInPulumiStack(async () => (await program()) ?? {})) ?? {};
    await (pulumi.runtime as unknown as RuntimeInternals).waitForRPCs?.();
    return { resources: monitor.records, outputs, producedSecrets: mocks.producedSecrets };
  } finally {
    // Let rejections of this run settle before detaching.
    await new Promise((resolve) => setImmediate(resolve));
    process.off("unhandledRejection", absorb);
    process.setSourceMapsEnabled(sourceMaps);
  }
}
