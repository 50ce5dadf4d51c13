/**
 * The `fedora` target: the harness as rootless Podman Quadlets on one Fedora host, delivered over SSH.
 */
import { backupStatus } from "./backupStatus";
import * as pulumi from "@pulumi/pulumi";
import { Harness } from "../../components/podman/Harness";
import { CATALOG } from "../catalog";
import { resolveCatalog, secretValuesOf, type ResolvedCatalog } from "../catalog/resolveCatalog";
import { DKIM_PRIVATE_KEY_SECRET, MAIL_SUBMITTERS } from "../catalog/mail";
import { leavesOf } from "../catalog/secretValue";
import type { CatalogSettings, HostPrograms, ServiceDefinition } from "../catalog/types";
import { ConfigError, type ConfigProblem, displayValue } from "../config/ConfigError";
import { isIPv4Cidr } from "../config/formats";
import { PROJECT, stackFileOf, type ConfigValues } from "../config/parse";
import { CONFIG_KEYS } from "../config/keys";
import {
  deployCloudflareEdge,
  EDGE_PROVIDED_SECRETS,
  emailProducerSenders,
  planCloudflareEdge,
  type CloudflareEdgePlan,
} from "./fedora/edge";
import { deriveHarnessPlan, type HarnessPlan } from "./fedora/harnessPlan";
import { planMailDns } from "./fedora/mailDnsPlan";
import { BACKUP_PASSWORD_SPEC } from "./fedora/backupPlan";
import { type AddressPool, deriveNetworkPlan } from "./fedora/networkPlan";
import { UnitRenderError } from "../../components/podman/UnitRenderError";
import { settingBehind } from "../config/settingBehind";
import { HOST_PROGRAMS, memoizedHostPrograms } from "./fedora/hostPrograms";
import { PROVIDED_SECRET_SOURCES } from "./fedora/providedSecrets";
import { declareGeneratedSecrets, rotationProblems, secretOutput } from "./generatedSecrets";
import type { TargetImplementation } from "./target";
import { DEFAULT_GATEWAY_KEY_LIMITS } from "../config/keys/gatewayKeys";

export interface FedoraStackPlan {
  catalog: ResolvedCatalog;
  harness: HarnessPlan;
  edge: CloudflareEdgePlan;
}

export interface FedoraPlanInputs {
  /** The catalogue; defaults to the shipped one (tests derive the stack from one with a service more or less). */
  definitions?: readonly ServiceDefinition[];
  /** Programs installed on the host; defaults to what this build includes. */
  hostPrograms?: HostPrograms;
}

/** Everything the fedora stack will be, computed and checked before any resource is declared. */
export function planFedora(config: ConfigValues, inputs: FedoraPlanInputs = {}): FedoraStackPlan {
  const domain = config.domain!;
  const operatorKeys = new Set(
    Object.entries(CONFIG_KEYS)
      .filter(([name, spec]) => spec.secret && config[name as keyof ConfigValues] !== undefined)
      .map(([name]) => name),
  );
  const producerSenders = emailProducerSenders(config);
  const settings: CatalogSettings = {
    mailDomains: config.mailDomains ?? [domain],
    mailHostname: config.mailHostname ?? `mail.${domain}`,
    pilerTransparencyNoticeConfirmed: config.pilerTransparencyNoticeConfirmed ?? false,
    emailProducerSenders: { mcp: producerSenders.mcp.drainSenders, dlq: producerSenders.dlq.drainSenders },
    ...(config.googleOAuthClientId === undefined ? {} : { googleOAuthClientId: config.googleOAuthClientId }),
    egress: { allowHosts: config.egressAllowHosts ?? [], denyHosts: config.egressDenyHosts ?? [] },
    gatewayKeyLimits: { ...DEFAULT_GATEWAY_KEY_LIMITS, ...config.gatewayKeyLimits },
    ...(config.cockpitImageDigest === undefined ? {} : { cockpitImageDigest: config.cockpitImageDigest }),
  };
  const pools = fedoraAddressPools(config);
  const catalogOptions = {
    domain,
    networkName: config.networkName!,
    overrides: config.services ?? {},
    extraSecretNames: new Set(Object.keys(config.extraSecrets ?? {})),
    operatorKeys,
    settings,
    hostPrograms: memoizedHostPrograms(inputs.hostPrograms ?? HOST_PROGRAMS),
  };
  // The networks derive from what the services declare (edges, routes out), never from the addresses
  // they are given: resolved once to place them, then again with each container's own addresses.
  const placed = deriveNetworkPlan(resolveCatalog(inputs.definitions ?? CATALOG, catalogOptions).catalog, {
    networkName: config.networkName!,
    pools,
  });
  const addresses = new Map([...placed.addresses].map(([service, byNetwork]) => [service, [...byNetwork.values()]]));
  const { catalog, problems } = resolveCatalog(inputs.definitions ?? CATALOG, { ...catalogOptions, addresses });
  // The backups' repository password is the stack's, not a service's: generated with the services' secrets.
  const generatedSpecs = new Map(catalog.generatedSecrets).set(BACKUP_PASSWORD_SPEC.name, BACKUP_PASSWORD_SPEC);
  const withBackups: ResolvedCatalog = { ...catalog, generatedSecrets: generatedSpecs };
  const edge = planCloudflareEdge(config, catalog);
  const network = deriveNetworkPlan(catalog, { networkName: config.networkName!, pools });
  problems.push(
    ...rotationProblems(config.rotations ?? {}, generatedSpecs.values()),
    ...providedSecretProblems(config, catalog),
    ...poolProblems(pools),
    ...network.problems,
    ...egressListProblems(config),
    ...pairedKeyProblems(config, ["googleOAuthClientId", "googleOAuthClientSecret"], "Twenty's Google sign-in"),
    ...senderDomainProblems(settings, domain, catalog),
    ...edge.problems,
  );
  if (problems.length > 0) throw new ConfigError(stackFileOf(pulumi.getStack()), problems);

  let harness: HarnessPlan;
  try {
    harness = deriveHarnessPlan(catalog, {
      network,
      targetUnit: config.targetUnit!,
      podmanVersion: config.podmanVersion!,
      backup: {
        repository: config.backupRepositoryPath!,
        offsite: edge.plan.backupBucket !== undefined,
      },
    });
  } catch (error) {
    if (!UnitRenderError.isUnitRenderError(error)) throw error;
    throw new ConfigError(stackFileOf(pulumi.getStack()), [unitRenderProblem(config, error)]);
  }
  const mail = planMailDns(config, settings, catalog);
  return { catalog: withBackups, harness, edge: mail ? { ...edge.plan, mail } : edge.plan };
}

/**
 * A unit the renderer refused, as the setting behind it: the Podman version when a key needs a newer
 * generator, the operator's key whose value carries the refused characters, or else the catalogue
 * entry (a contributor's mistake) that rendered the value.
 */
function unitRenderProblem(config: ConfigValues, error: UnitRenderError): ConfigProblem {
  if (error.neededPodman) {
    return {
      key: `${PROJECT}:podmanVersion`,
      found: displayValue(config.podmanVersion),
      expected: `Podman ${error.neededPodman} or later: ${error.unit} uses ${error.key}= (${error.reason})`,
    };
  }
  const setting = error.value === undefined ? undefined : settingBehind(config, error.value, error.refused);
  if (setting) {
    return {
      key: setting.key,
      found: displayValue(setting.value),
      expected: `a value ${error.unit} can carry in ${error.key}=: ${error.reason}`,
    };
  }
  const service = error.unit.replace(/\.[a-z]+$/, "");
  return {
    key: `the catalogue entry of ${service} (infra/catalog/)`,
    expected: `${error.unit}: ${error.key}: ${error.reason}`,
  };
}

/**
 * The address blocks the derived networks are carved from (docs/fedora.md §Networks): the five subnet
 * keys of the role-named networks this stack had before segmentation, so an operator's choice of
 * addresses still holds.
 */
export function fedoraAddressPools(config: ConfigValues): AddressPool[] {
  return (["networkSubnet", "mailNetworkSubnet", "modelsNetworkSubnet", "agentsNetworkSubnet", "egressNetworkSubnet"] as const).map(
    (key) => ({ key: `${PROJECT}:${key}`, subnet: config[key]! }),
  );
}

function poolProblems(pools: readonly AddressPool[]): ConfigProblem[] {
  const range = (cidr: string): [number, number] => {
    const [address, bits] = cidr.split("/") as [string, string];
    const start = address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
    return [start, start + 2 ** (32 - Number(bits)) - 1];
  };
  const problems: ConfigProblem[] = [];
  pools.forEach((pool, i) => {
    for (const other of pools.slice(0, i)) {
      if (!isIPv4Cidr(pool.subnet) || !isIPv4Cidr(other.subnet)) continue;
      const [a0, a1] = range(pool.subnet);
      const [b0, b1] = range(other.subnet);
      if (a0 <= b1 && b0 <= a1) {
        problems.push({
          key: pool.key,
          found: displayValue(pool.subnet),
          expected: `overlaps ${other.key} (${other.subnet}); each address block needs its own subnet`,
        });
      }
    }
  });
  return problems;
}

/** A host on both egress lists: which one wins would be a guess. */
function egressListProblems(config: ConfigValues): ConfigProblem[] {
  const denied = new Set(config.egressDenyHosts ?? []);
  return (config.egressAllowHosts ?? [])
    .filter((host) => denied.has(host))
    .map((host) => ({
      key: `${PROJECT}:egressAllowHosts`,
      found: displayValue(host),
      expected: `a host not also in ${PROJECT}:egressDenyHosts; keep it on one list`,
    }));
}

/** Twenty and Vaultwarden send from `<name>@<domain>`: Postfix must accept the stack's domain as a sender. */
function senderDomainProblems(settings: CatalogSettings, domain: string, catalog: ResolvedCatalog): ConfigProblem[] {
  const senders = catalog.services.filter((s) => MAIL_SUBMITTERS.some((m) => m.service === s.name)).map((s) => s.name);
  if (senders.length === 0 || settings.mailDomains.includes(domain)) return [];
  return [
    {
      key: `${PROJECT}:mailDomains`,
      found: displayValue(settings.mailDomains),
      expected: `must include ${domain}: ${senders.join(" and ")} send from addresses of the stack's domain`,
    },
  ];
}

function pairedKeyProblems(
  config: ConfigValues,
  keys: readonly [keyof ConfigValues, keyof ConfigValues],
  feature: string,
): ConfigProblem[] {
  const [a, b] = keys;
  const setA = config[a] !== undefined;
  const setB = config[b] !== undefined;
  if (setA === setB) return [];
  const [missing, present] = setA ? [b, a] : [a, b];
  return [{ key: `${PROJECT}:${String(missing)}`, expected: `missing: ${feature} needs it together with ${PROJECT}:${String(present)}` }];
}

/** Every `provided(...)` secret an enabled service uses must have its source configured. */
function providedSecretProblems(config: ConfigValues, catalog: ResolvedCatalog): ConfigProblem[] {
  const users = new Map<string, Set<string>>();
  for (const service of catalog.services) {
    for (const leaf of secretValuesOf(service).flatMap(leavesOf)) {
      if (leaf.kind !== "provided") continue;
      // The Cloudflare edge provides these itself (the DKIM key with the mail DNS).
      if ([...Object.values(EDGE_PROVIDED_SECRETS), DKIM_PRIVATE_KEY_SECRET].includes(leaf.name)) continue;
      const source = PROVIDED_SECRET_SOURCES[leaf.name];
      if (!source) throw new Error(`catalogue: ${service.name} uses the provided secret ${leaf.name}, which nothing provides`);
      if (config[source] !== undefined) continue;
      users.set(source, (users.get(source) ?? new Set()).add(service.name));
    }
  }
  return [...users].map(([key, services]) => {
    const names = [...services];
    return {
      key: `${PROJECT}:${key}`,
      expected: `missing: ${CONFIG_KEYS[key as keyof typeof CONFIG_KEYS].description} ${names.join(", ")} ${names.length > 1 ? "need" : "needs"} it. Set it with \`pulumi config set --secret ${key} <value>\`, or disable ${names.map((n) => `services.${n}`).join(", ")}.`,
    };
  });
}

export const fedoraTarget: TargetImplementation = {
  target: "fedora",
  deploy: (config) => deployFedora(config),
};

/** The fedora stack's resources, from the shipped catalogue unless `inputs` give another (the bench adds services). */
export function deployFedora(config: ConfigValues, inputs: FedoraPlanInputs = {}): Record<string, unknown> {
  const plan = planFedora(config, inputs);

  const generatedSecrets = declareGeneratedSecrets(plan.catalog.generatedSecrets.values(), config.rotations ?? {});

  // Secrets produced by other parts of the stack, by name: the Cloudflare edge's (tunnel token,
  // account, queue and database ids), then the host programs' scoped API tokens from the operator's
  // config (planFedora checked that every one in use is set).
  const providedSecrets = new Map<string, pulumi.Output<string>>();
  const edge = deployCloudflareEdge(plan.edge, { apiToken: config.cloudflareApiToken! });
  for (const [name, value] of edge.providedSecrets) providedSecrets.set(name, value);
  for (const [name, key] of Object.entries(PROVIDED_SECRET_SOURCES)) {
    const value = config[key];
    if (typeof value === "string") providedSecrets.set(name, pulumi.secret(value));
  }

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
      value: secretOutput(secret.value, { generated: generatedSecrets, provided: providedSecrets, config }),
      ...(secret.path === undefined ? {} : { path: secret.path }),
    })),
    restarts: plan.harness.restarts,
    targetUnit: plan.harness.targetUnit,
    requirements: plan.harness.requirements,
    restartTimeoutSeconds: config.restartTimeoutSeconds!,
  });

  return {
    target: "fedora",
    host: config.sshHost,
    units: harness.units,
    publicUrls: plan.catalog.routes.map((route) => `https://${route.hostname}`),
    cloudflare: edge.outputs,
    backups: backupStatus(config, {
      summary: `restic, ${plan.harness.backup?.jobs.length ?? 0} services to ${config.backupRepositoryPath!}${plan.edge.backupBucket ? `, weekly off-site to R2 bucket ${plan.edge.backupBucket.bucketName}` : ", no off-site copy (backupOffsite: false)"}`,
    }),
  };
}
