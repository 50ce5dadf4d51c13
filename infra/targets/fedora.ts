/**
 * The `fedora` target: the harness as rootless Podman Quadlets on one Fedora host, delivered over SSH.
 */
import * as pulumi from "@pulumi/pulumi";
import { Harness } from "../../components/podman/Harness";
import { Secret32 } from "../../components/secrets/Secret32";
import { CATALOG } from "../catalog";
import { resolveCatalog, type ResolvedCatalog } from "../catalog/resolveCatalog";
import { leavesOf, resolveSecret, type SecretValue } from "../catalog/secretValue";
import type { ServiceDefinition } from "../catalog/types";
import { ConfigError, type ConfigProblem, displayValue } from "../config/ConfigError";
import { PROJECT, stackFileOf, type ConfigValues } from "../config/parse";
import { CONFIG_KEYS } from "../config/keys";
import { closestMatch } from "../config/suggest";
import { deployCloudflareEdge, planCloudflareEdge, type CloudflareEdgePlan } from "./fedora/edge";
import { deriveHarnessPlan, type HarnessPlan } from "./fedora/harnessPlan";
import type { TargetImplementation } from "./target";

export interface FedoraStackPlan {
  catalog: ResolvedCatalog;
  harness: HarnessPlan;
  edge: CloudflareEdgePlan;
}

export interface FedoraPlanInputs {
  /** The catalogue; defaults to the shipped one (tests derive the stack from one with a service more or less). */
  definitions?: readonly ServiceDefinition[];
}

/** Everything the fedora stack will be, computed and checked before any resource is declared. */
export function planFedora(config: ConfigValues, inputs: FedoraPlanInputs = {}): FedoraStackPlan {
  const domain = config.domain!;
  const operatorKeys = new Set(
    Object.entries(CONFIG_KEYS)
      .filter(([name, spec]) => spec.secret && config[name as keyof ConfigValues] !== undefined)
      .map(([name]) => name),
  );
  const { catalog, problems } = resolveCatalog(inputs.definitions ?? CATALOG, {
    domain,
    networkName: config.networkName!,
    overrides: config.services ?? {},
    extraSecretNames: new Set(Object.keys(config.extraSecrets ?? {})),
    operatorKeys,
  });
  problems.push(...rotationProblems(config, catalog));
  const edge = planCloudflareEdge(config, catalog);
  problems.push(...edge.problems);
  if (problems.length > 0) throw new ConfigError(stackFileOf(pulumi.getStack()), problems);

  const harness = deriveHarnessPlan(catalog, {
    networkName: config.networkName!,
    networkSubnet: config.networkSubnet!,
    targetUnit: config.targetUnit!,
    podmanVersion: config.podmanVersion!,
  });
  return { catalog, harness, edge: edge.plan };
}

function rotationProblems(config: ConfigValues, catalog: ResolvedCatalog): ConfigProblem[] {
  return Object.keys(config.rotations ?? {}).flatMap((name): ConfigProblem[] => {
    const spec = catalog.generatedSecrets.get(name);
    const key = `${PROJECT}:rotations.${name}`;
    if (!spec) {
      const suggestion = closestMatch(name, catalog.generatedSecrets.keys());
      return [{ key, expected: `no generated secret of that name${suggestion ? ` (did you mean "${suggestion}"?)` : ""}` }];
    }
    if (spec.protect) {
      return [{ key, found: displayValue(config.rotations![name]), expected: `${name} is protected (${spec.description}) and cannot be rotated by a token` }];
    }
    return [];
  });
}

/** Resolves a secret description to a Pulumi secret, from generated secrets and operator config. */
function secretOutput(
  value: SecretValue,
  generatedSecrets: ReadonlyMap<string, Secret32>,
  providedSecrets: ReadonlyMap<string, pulumi.Output<string>>,
  config: ConfigValues,
): pulumi.Output<string> {
  const leafOutputs = leavesOf(value).map((leaf) => {
    if (leaf.kind === "provided") {
      const secret = providedSecrets.get(leaf.name);
      if (!secret) throw new Error(`no part of the stack provides the secret ${leaf.name}`);
      return secret;
    }
    if (leaf.kind === "generated") {
      const secret = generatedSecrets.get(leaf.name);
      if (!secret) throw new Error(`no generated secret ${leaf.name}`);
      return leaf.encoding === "hex" ? secret.hex : secret.base64;
    }
    const raw = config[leaf.key as keyof ConfigValues];
    const text = leaf.path === undefined ? raw : (raw as Record<string, string> | undefined)?.[leaf.path];
    if (typeof text !== "string") throw new Error(`operator secret ${leaf.key}${leaf.path ? `.${leaf.path}` : ""} is not configured`);
    return pulumi.secret(text);
  });
  // resolveSecret visits leaves in the order leavesOf lists them.
  return pulumi.secret(
    pulumi.all(leafOutputs).apply((resolved) => {
      let next = 0;
      return resolveSecret(value, () => resolved[next++]!);
    }),
  );
}

export const fedoraTarget: TargetImplementation = {
  target: "fedora",
  deploy(config) {
    const plan = planFedora(config);

    const generatedSecrets = new Map<string, Secret32>();
    for (const spec of [...plan.catalog.generatedSecrets.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      const rotation = config.rotations?.[spec.name];
      generatedSecrets.set(
        spec.name,
        new Secret32(spec.name, {
          ...(spec.protect ? { protect: true } : {}),
          ...(rotation === undefined ? {} : { keepers: { rotation } }),
        }),
      );
    }

    // Secrets produced by other parts of the stack, by name (the Cloudflare edge adds the tunnel token).
    const providedSecrets = new Map<string, pulumi.Output<string>>();
    const edge = deployCloudflareEdge(plan.edge, { apiToken: config.cloudflareApiToken! });
    for (const [name, value] of edge.providedSecrets) providedSecrets.set(name, value);

    const harness = new Harness("harness", {
      connection: {
        host: config.sshHost!,
        port: config.sshPort!,
        user: config.sshUser!,
        privateKey: pulumi.secret(config.sshPrivateKey!),
      },
      files: plan.harness.files,
      secrets: plan.harness.secrets.map((secret) => ({
        name: secret.name,
        value: secretOutput(secret.value, generatedSecrets, providedSecrets, config),
      })),
      restarts: plan.harness.restarts,
      targetUnit: plan.harness.targetUnit,
      requirements: plan.harness.requirements,
    });

    return {
      target: "fedora",
      host: config.sshHost,
      units: harness.units,
      publicUrls: plan.catalog.routes.map((route) => `https://${route.hostname}`),
      cloudflare: edge.outputs,
    };
  },
};
