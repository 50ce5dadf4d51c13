import { createHmac } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** What a secret looks like in every plan, diff and log: its value never appears. */
export const SECRET_MARKER = "[secret]";

/** Pulumi's secret envelope (deserialized inputs and the engine's wire format alike). */
export function isSecretEnvelope(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
  );
}

/**
 * Tells two secrets apart without revealing them: an HMAC under a key that lives only as long as
 * one comparison (a diff run), so a fingerprint is useless outside it.
 */
export type SecretFingerprint = (value: unknown) => string;

export function secretFingerprinter(key: string): SecretFingerprint {
  return (value) =>
    createHmac("sha256", key)
      .update(JSON.stringify(value) ?? "")
      .digest("hex")
      .slice(0, 16);
}

/**
 * Replaces every secret in a deserialized property value by the marker (with a fingerprint, when
 * given one); everything else is kept.
 */
export function redactSecrets(value: unknown, fingerprint?: SecretFingerprint): unknown {
  if (isSecretEnvelope(value)) return fingerprint ? `${SECRET_MARKER.slice(0, -1)}:${fingerprint(value.value)}]` : SECRET_MARKER;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, fingerprint));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v, fingerprint)]));
  }
  return value;
}

/** The plain value of a property, if it is not secret (undefined when it is). */
export function plainValue(value: unknown): unknown {
  return isSecretEnvelope(value) ? undefined : value;
}

/**
 * A redacted secret as a plan holds it: `{ fingerprint }` for `[secret:<hmac>]`, `{}` for the bare
 * marker, undefined for anything else.
 */
export function redactedSecret(value: unknown): { fingerprint?: string } | undefined {
  if (value === SECRET_MARKER) return {};
  const match = typeof value === "string" ? /^\[secret:([0-9a-f]+)\]$/.exec(value) : null;
  return match ? { fingerprint: match[1]! } : undefined;
}
