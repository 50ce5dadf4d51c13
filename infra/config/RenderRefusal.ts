/**
 * A renderer's refusal of a value it cannot write safely (a Dockerfile has no escaping; App Launchpad
 * sizes volumes in whole Gi), thrown where the renderer sees it and turned into the operator's problem
 * by the program (infra/program.ts): the setting whose value it refused, or — when no setting holds
 * that value — the file of the program a contributor edited. Never a stack trace.
 */
import type { ConfigProblem } from "./ConfigError";
import { displayValue } from "./ConfigError";
import type { ConfigValues } from "./parse";
import { settingBehind } from "./settingBehind";

export interface RenderRefusalDetail {
  /** The refused text, to find the setting that holds it. */
  value?: string;
  /** The characters of `value` the renderer refuses (absent: the value as a whole is refused). */
  refused?: RegExp;
}

export class RenderRefusal extends Error {
  /** What was being rendered (`Dockerfile`, `fly.toml`, `the Paperclip Deployment`). */
  readonly file: string;
  /** The repository file that renders it, named when a contributor's change is to blame. */
  readonly renderer: string;
  /** What the renderer expected, as a sentence fragment. */
  readonly expected: string;
  readonly value: string | undefined;
  readonly refused: RegExp | undefined;

  constructor(file: string, renderer: string, expected: string, detail: RenderRefusalDetail = {}) {
    super(`${file} (${renderer}): ${expected}${detail.value === undefined ? "" : `: ${displayValue(detail.value)}`}`);
    this.name = "RenderRefusal";
    this.file = file;
    this.renderer = renderer;
    this.expected = expected;
    this.value = detail.value;
    this.refused = detail.refused;
  }

  static isRenderRefusal(this: void, error: unknown): error is RenderRefusal {
    return error instanceof Error && error.name === "RenderRefusal" && "renderer" in error;
  }
}

/** The refusal as the one problem to report: the operator's setting behind the value, or the program's file. */
export function renderRefusalProblem(config: ConfigValues, refusal: RenderRefusal): ConfigProblem {
  const setting = refusal.value === undefined ? undefined : settingBehind(config, refusal.value, refusal.refused);
  if (setting) return { key: setting.key, found: displayValue(setting.value), expected: `${refusal.expected} (in ${refusal.file})` };
  return {
    key: `${refusal.file}, rendered by ${refusal.renderer}`,
    ...(refusal.value === undefined ? {} : { found: displayValue(refusal.value) }),
    expected: refusal.expected,
  };
}
