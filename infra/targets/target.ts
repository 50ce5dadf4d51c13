import type { ConfigValues } from "../config/parse";
import type { Target } from "../config/keySpec";

/** A deployment target: validates its own semantics (throwing ConfigError), then declares resources. */
export interface TargetImplementation {
  target: Target;
  /** Declares every resource of the stack and returns the stack outputs. */
  deploy(config: ConfigValues): Record<string, unknown>;
}
