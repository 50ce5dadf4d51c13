/**
 * A unit that cannot be rendered safely: names the file, the key and the reason. `value` is the
 * refused text and `neededPodman` the version a key needs, so the caller can blame the setting the
 * operator (or a catalogue entry) chose rather than the renderer.
 */
export class UnitRenderError extends Error {
  readonly unit: string;
  readonly key: string;
  readonly reason: string;
  readonly value: string | undefined;
  /** The characters of `value` the renderer refuses (absent: the value as a whole is refused). */
  readonly refused: RegExp | undefined;
  readonly neededPodman: string | undefined;

  constructor(unit: string, key: string, reason: string, detail: { value?: string; refused?: RegExp; neededPodman?: string } = {}) {
    super(`${unit}: ${key}: ${reason}`);
    this.name = "UnitRenderError";
    this.unit = unit;
    this.key = key;
    this.reason = reason;
    this.value = detail.value;
    this.refused = detail.refused;
    this.neededPodman = detail.neededPodman;
  }

  static isUnitRenderError(this: void, error: unknown): error is UnitRenderError {
    return error instanceof Error && error.name === "UnitRenderError" && "unit" in error;
  }
}
