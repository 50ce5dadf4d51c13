import { z } from "zod";
import { gatewayBaseUrl } from "../gatewayUrl";
import { key, TARGETS } from "../keySpec";
import { masterKeyReason } from "../gatewayKeyShape";

export const commonKeys = {
  target: key({
    kind: "string",
    description: "Which deployment this stack describes: fedora, fly, sealos or homelab.",
    targets: TARGETS,
    required: true,
    schema: z.enum(TARGETS, { error: `expected one of ${TARGETS.join(", ")}` }),
  }),
  extraSecrets: key({
    kind: "object",
    description:
      "Operator-supplied secret values that service overrides can reference by name ({fromConfig: <name>}). Set each with `pulumi config set --secret --path 'extraSecrets.<name>' <value>`.",
    targets: TARGETS,
    secret: true,
    schema: z.record(
      z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, { error: "expected a name of letters, digits, '-' and '_'" }),
      z.string({ error: "expected a string" }),
      { error: "expected a mapping of secret names to values" },
    ),
  }),
  rotations: key({
    kind: "object",
    description:
      "Deliberate rotation of generated secrets: map a generated secret's name to any token; changing the token generates a new value (protected secrets cannot be rotated this way).",
    targets: TARGETS,
    schema: z
      .record(z.string(), z.union([z.string(), z.number()], { error: "expected a rotation token (a string)" }).transform(String), {
        error: "expected a mapping of generated secret names to rotation tokens",
      })
      .default({}),
    example: "paperclip-db-password: 2026-11",
  }),
  gatewayBaseUrl: key({
    kind: "string",
    description:
      "Base URL of the model gateway (LiteLLM), the only road to a model (Principle 3): ANTHROPIC_BASE_URL and OPENAI_BASE_URL of Paperclip and every agent it spawns. Not a provider's API; clear-text http only inside a private network (tailnet, cluster, private addresses).",
    targets: ["fly", "sealos", "homelab"],
    required: true,
    schema: gatewayBaseUrl,
    example: "https://harness.tail1234ab.ts.net:8443",
  }),
  gatewayKey: key({
    kind: "string",
    description:
      "The key agents present to the model gateway: a LiteLLM virtual key made for them (POST /key/generate with the master key, with a budget and rate limits; docs/gateway-keys.md), never the gateway's master key and never a provider's key (Principle 3). The homelab stack reads it from an ExternalSecret when externalSecretStore is set, and needs it here otherwise.",
    targets: ["fly", "sealos", "homelab"],
    requiredOn: ["fly", "sealos"],
    secret: true,
    schema: z.string().superRefine((value, context) => {
      const why = masterKeyReason(value);
      if (why) context.addIssue({ code: "custom", message: why });
    }),
  }),
};
