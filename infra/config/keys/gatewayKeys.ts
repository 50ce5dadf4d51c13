/**
 * The limits of the fedora gateway's scoped virtual keys (docs/gateway-keys.md): one LiteLLM key for
 * Paperclip's agents and one for OpenWebUI, each with its budget and rate limits. The master key
 * reaches LiteLLM and the registration unit only.
 */
import { z } from "zod";
import { key } from "../keySpec";
import type { GatewayKeyLimits } from "../../../components/litellm/gatewayKeys";

const positiveNumber = z
  .number({ error: "expected a number of US dollars greater than 0" })
  .positive({ error: "expected a number of US dollars greater than 0" });
const perMinute = z
  .number({ error: "expected a whole number greater than 0" })
  .int({ error: "expected a whole number greater than 0" })
  .positive({ error: "expected a whole number greater than 0" });
/** LiteLLM's durations: a count and a unit (seconds, minutes, hours, days, months). */
const duration = z.string().regex(/^[1-9][0-9]*(s|m|h|d|mo)$/, { error: 'expected a duration such as "30d", "7d", "24h" or "1mo"' });
const modelAlias = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, { error: "expected a gateway model alias" });

const limits = z
  .object({
    maxBudget: positiveNumber.optional(),
    budgetDuration: duration.optional(),
    rpmLimit: perMinute.optional(),
    tpmLimit: perMinute.optional(),
    models: z
      .array(modelAlias, { error: "expected a list of gateway model aliases" })
      .min(1, { error: "expected at least one model" })
      .optional(),
  })
  .strict()
  .refine((l) => l.budgetDuration === undefined || l.maxBudget !== undefined, {
    error: "budgetDuration resets a budget: set maxBudget too",
  });

/** What each key may spend and send unless the stack says otherwise. */
export const DEFAULT_GATEWAY_KEY_LIMITS: Readonly<Record<"paperclip" | "openwebui", GatewayKeyLimits>> = {
  paperclip: { maxBudget: 100, budgetDuration: "30d", rpmLimit: 120, tpmLimit: 1_000_000 },
  openwebui: { maxBudget: 50, budgetDuration: "30d", rpmLimit: 60, tpmLimit: 200_000 },
};

export const gatewayKeyLimitKeys = {
  gatewayKeyLimits: key({
    kind: "object",
    description:
      "Budget and rate limits of the gateway's scoped virtual keys, per client (paperclip: the agents' key; openwebui: the chat UI's): maxBudget (USD per budgetDuration), budgetDuration (30d, 24h, 1mo), rpmLimit, tpmLimit, models (gateway aliases; all when absent). A client given here replaces its defaults entirely (paperclip 100 USD/30d, 120 rpm, 1000000 tpm; openwebui 50 USD/30d, 60 rpm, 200000 tpm). Applied by the litellm-keys unit at every deployment that changes them.",
    targets: ["fedora"],
    schema: z
      .object(
        { paperclip: limits.optional(), openwebui: limits.optional() },
        { error: "expected a mapping with paperclip and/or openwebui" },
      )
      .strict()
      .optional(),
    example: "{paperclip: {maxBudget: 200, budgetDuration: 30d, rpmLimit: 300}}",
  }),
};
