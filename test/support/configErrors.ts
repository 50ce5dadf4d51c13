import { ConfigError } from "../../infra/config/ConfigError";

/** The message a user sees for a configuration `run` rejects; fails when it throws anything else or nothing. */
export function configErrorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (ConfigError.isConfigError(error)) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError");
}
