/** A unit that cannot be rendered safely: names the file, the key and the reason. */
export class UnitRenderError extends Error {
  constructor(unit: string, key: string, reason: string) {
    super(`${unit}: ${key}: ${reason}`);
    this.name = "UnitRenderError";
  }
}
