/**
 * Secrets, the same way on every target: one Secret32 per generated secret (protected ones
 * protected, rotation tokens as keepers), the checks on `rotations`, and the resolution of a secret
 * description (generated, operator, provided, composed) to a Pulumi secret Output.
 */
import * as pulumi from "@pulumi/pulumi";
import { Secret32 } from "../../components/secrets/Secret32";
import { leavesOf, resolveSecret, type SecretValue } from "../catalog/secretValue";
import type { GeneratedSecretSpec } from "../catalog/types";
import { type ConfigProblem, displayValue } from "../config/ConfigError";
import { PROJECT, type ConfigValues } from "../config/parse";
import { closestMatch } from "../config/suggest";

/** One Secret32 per generated secret, declared in a stable order. */
export function declareGeneratedSecrets(
  specs: Iterable<GeneratedSecretSpec>,
  rotations: Readonly<Record<string, string>>,
): ReadonlyMap<string, Secret32> {
  const secrets = new Map<string, Secret32>();
  for (const spec of [...specs].sort((a, b) => a.name.localeCompare(b.name))) {
    const rotation = rotations[spec.name];
    secrets.set(
      spec.name,
      new Secret32(spec.name, {
        ...(spec.protect ? { protect: true } : {}),
        ...(rotation === undefined ? {} : { keepers: { rotation } }),
      }),
    );
  }
  return secrets;
}

/** `rotations` may name only generated secrets a token can rotate. */
export function rotationProblems(rotations: Readonly<Record<string, string>>, specs: Iterable<GeneratedSecretSpec>): ConfigProblem[] {
  const byName = new Map([...specs].map((spec) => [spec.name, spec]));
  return Object.keys(rotations).flatMap((name): ConfigProblem[] => {
    const spec = byName.get(name);
    const key = `${PROJECT}:rotations.${name}`;
    if (!spec) {
      const suggestion = closestMatch(name, byName.keys());
      return [{ key, expected: `no generated secret of that name${suggestion ? ` (did you mean "${suggestion}"?)` : ""}` }];
    }
    const found = displayValue(rotations[name]);
    if (spec.protect) return [{ key, found, expected: `${name} is protected (${spec.description}) and cannot be rotated by a token` }];
    if (spec.notRotatable) return [{ key, found, expected: `${name} cannot be rotated by a token: ${spec.notRotatable}` }];
    return [];
  });
}

export interface SecretSources {
  generated: ReadonlyMap<string, Secret32>;
  /** Secrets other parts of the stack produce, by their `provided(...)` name. */
  provided?: ReadonlyMap<string, pulumi.Output<string>>;
  /** Operator credentials (secret config values). */
  config: ConfigValues;
}

/** A secret description as a Pulumi secret Output. A leaf nothing supplies is a bug: planning checked. */
export function secretOutput(value: SecretValue, sources: SecretSources): pulumi.Output<string> {
  const leafOutputs = leavesOf(value).map((leaf) => {
    switch (leaf.kind) {
      case "provided": {
        const secret = sources.provided?.get(leaf.name);
        if (!secret) throw new Error(`no part of the stack provides the secret ${leaf.name}`);
        return secret;
      }
      case "generated": {
        const secret = sources.generated.get(leaf.name);
        if (!secret) throw new Error(`no generated secret ${leaf.name}`);
        return leaf.encoding === "hex" ? secret.hex : secret.base64;
      }
      case "operator": {
        const raw = sources.config[leaf.key as keyof ConfigValues];
        const text = leaf.path === undefined ? raw : (raw as Record<string, string> | undefined)?.[leaf.path];
        if (typeof text !== "string") throw new Error(`operator secret ${leaf.key}${leaf.path ? `.${leaf.path}` : ""} is not configured`);
        return pulumi.secret(text);
      }
    }
  });
  // resolveSecret visits leaves in the order leavesOf lists them.
  return pulumi.secret(
    pulumi.all(leafOutputs).apply((resolved) => {
      let next = 0;
      return resolveSecret(value, () => resolved[next++]!);
    }),
  );
}
