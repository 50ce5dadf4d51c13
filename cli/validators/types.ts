/**
 * Outcome of one validator on one target. `skipped` is never green: callers print it loudly.
 * `warned` is an advisory finding (an advisory policy's violation): shown, counted, not a failure.
 */
export type ValidatorStatus = "passed" | "failed" | "skipped" | "warned";

export interface ValidationResult {
  /** Which validator judged the target, e.g. "quadlet", "systemd-verify", "caddy", "shellcheck". */
  validator: string;
  /** The file (or directory) the result is about: always the caller's source, never a temp copy. */
  target: string;
  status: ValidatorStatus;
  /** What the validator said. May span several lines (one problem per line). */
  message: string;
}
