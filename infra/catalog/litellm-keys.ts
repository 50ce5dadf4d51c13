import { registerKeysProgram, renderKeyPlan, type GatewayKeyEntry, type GatewayKeyLimits } from "../../components/litellm/gatewayKeys";
import { DEFAULT_GATEWAY_KEY_LIMITS } from "../config/keys/gatewayKeys";
import { LITELLM_MASTER_KEY, LITELLM_PORT } from "./litellm";
import { generated, secretTemplate, type SecretValue } from "./secretValue";
import type { ServiceDefinition } from "./types";

const LIB = ".local/lib/paperclip-harness";

/** A scoped key: `sk-` (LiteLLM requires the prefix of a key given with `key`) and 64 hex digits. */
function virtualKey(name: string): SecretValue {
  return secretTemplate`sk-${generated(name)}`;
}

const PAPERCLIP_KEY_SECRET = "litellm-paperclip-key";
const OPENWEBUI_KEY_SECRET = "litellm-openwebui-key";
/** Paperclip's agents' key: their only model credential (Principle 3), never the master key. */
export const PAPERCLIP_GATEWAY_KEY = virtualKey(PAPERCLIP_KEY_SECRET);
/** OpenWebUI's key: its chats and document embeddings. */
export const OPENWEBUI_GATEWAY_KEY = virtualKey(OPENWEBUI_KEY_SECRET);

/**
 * The registration of the gateway's scoped keys (docs/gateway-keys.md). The stack generates each key
 * (so it reaches its client as a Podman secret like any other) and this oneshot registers it with
 * LiteLLM through /key/generate with `key` set, or applies changed limits through /key/update. It
 * runs on the host, after LiteLLM is healthy, against LiteLLM's loopback port, with the host's Node.js
 * (the email drain's); Paperclip and OpenWebUI start after it. Rotating a key (`rotations`) restarts
 * it, which replaces the key of that alias.
 */
export const litellmKeys: ServiceDefinition = (context) => {
  const limits = context.settings.gatewayKeyLimits ?? DEFAULT_GATEWAY_KEY_LIMITS;
  const clients: { alias: string; variable: string; service: string; secret: string; value: SecretValue; limits: GatewayKeyLimits }[] = [
    {
      alias: "paperclip-agents",
      variable: "PAPERCLIP_GATEWAY_KEY",
      service: "paperclip",
      secret: PAPERCLIP_KEY_SECRET,
      value: PAPERCLIP_GATEWAY_KEY,
      limits: limits.paperclip,
    },
    {
      alias: "openwebui",
      variable: "OPENWEBUI_GATEWAY_KEY",
      service: "openwebui",
      secret: OPENWEBUI_KEY_SECRET,
      value: OPENWEBUI_GATEWAY_KEY,
      limits: limits.openwebui,
    },
  ];
  // Only the keys of deployed clients (an override may disable OpenWebUI).
  const deployed = clients.filter((c) => context.enabledServices.size === 0 || context.enabledServices.has(c.service));
  const entries: GatewayKeyEntry[] = deployed.map(({ alias, variable, limits }) => ({ alias, variable, limits }));
  return {
    kind: "host",
    name: "litellm-keys",
    description: "Registration of the gateway's scoped virtual keys (LiteLLM /key/generate)",
    exec: ["/usr/bin/node", `%h/${LIB}/litellm-keys.mjs`],
    hostExecutables: ["/usr/bin/node"],
    hostFiles: [
      { path: `${LIB}/litellm-keys.mjs`, content: registerKeysProgram() },
      { path: `${LIB}/litellm-keys.json`, content: renderKeyPlan(entries) },
    ],
    env: {
      // LiteLLM's port on the host's loopback (litellm.ts publishes it there).
      LITELLM_URL: `http://127.0.0.1:${LITELLM_PORT}`,
      KEYS_PLAN: `%h/${LIB}/litellm-keys.json`,
    },
    secretEnv: {
      LITELLM_MASTER_KEY,
      ...Object.fromEntries(deployed.map((c) => [c.variable, c.value])),
    },
    generatedSecrets: clients.map((c) => ({
      name: c.secret,
      description: `${c.variable}: the LiteLLM virtual key of ${c.service} (alias ${c.alias}); rotate with rotations.`,
    })),
    dependsOn: ["litellm"],
    restart: "no",
    // Up to a minute of retries while LiteLLM loads its database (registerKeys.mjs).
    oneshot: { timeoutSec: 180 },
  };
};
