/**
 * The gateway's scoped virtual keys (docs/gateway-keys.md): what each client of LiteLLM is allowed,
 * and the plan the registration program (components/litellm/registerKeys.mjs) reads. The program is
 * shipped as it is, a real .mjs file, so it reads, diffs and runs (under test) as one.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** A key's limits, in the stack config's names; each becomes its LiteLLM /key/generate field. */
export interface GatewayKeyLimits {
  /** max_budget: USD the key may spend per budget period. */
  maxBudget?: number;
  /** budget_duration: when the spend resets (`30d`, `1h`, `1mo`). */
  budgetDuration?: string;
  /** rpm_limit: requests per minute. */
  rpmLimit?: number;
  /** tpm_limit: tokens per minute. */
  tpmLimit?: number;
  /** models: the gateway aliases the key may call; all of them when absent. */
  models?: readonly string[];
}

/** One registered key: its LiteLLM alias, the variable the program reads its value from, its limits. */
export interface GatewayKeyEntry {
  alias: string;
  variable: string;
  limits: GatewayKeyLimits;
}

/** The plan file (KEYS_PLAN): no secret in it, the values come from the environment. */
export function renderKeyPlan(keys: readonly GatewayKeyEntry[]): string {
  return `${JSON.stringify({ keys }, null, 2)}\n`;
}

export function registerKeysProgram(): string {
  return readFileSync(join(__dirname, "registerKeys.mjs"), "utf8");
}
