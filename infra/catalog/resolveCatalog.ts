/**
 * From the catalogue and the stack's overrides to the services this stack runs. Pure; returns the
 * operator's mistakes and a contributor's (an inconsistent catalogue entry) as config problems, so
 * they are reported together, before any resource exists, and never as a stack trace.
 */
import type { ConfigProblem } from "../config/ConfigError";
import { displayValue } from "../config/ConfigError";
import type { ServiceOverride } from "../config/keys/fedora";
import { PROJECT } from "../config/parse";
import { closestMatch } from "../config/suggest";
import { generated, leavesOf, operator, type SecretValue } from "./secretValue";
import {
  BACKUP_KINDS,
  BACKUP_SCHEDULES,
  type BackupRetention,
  type CatalogContext,
  type CatalogSettings,
  type GeneratedSecretSpec,
  type HostPrograms,
  type ResolvedRoute,
  type ServiceDeclaration,
  type ServiceDefinition,
} from "./types";

export interface CatalogOptions {
  domain: string;
  networkName: string;
  overrides: Readonly<Record<string, ServiceOverride>>;
  /** Names in `extraSecrets` (values are not needed here). */
  extraSecretNames: ReadonlySet<string>;
  /** Operator credential keys this stack configures. */
  operatorKeys: ReadonlySet<string>;
  settings: CatalogSettings;
  hostPrograms: HostPrograms;
  /** Each container's own addresses, once the networks are derived (see CatalogContext.addressesOf). */
  addresses?: ReadonlyMap<string, readonly string[]>;
}

export interface ResolvedCatalog {
  services: readonly ServiceDeclaration[];
  routes: readonly ResolvedRoute[];
  generatedSecrets: ReadonlyMap<string, GeneratedSecretSpec>;
}

const SERVICES_KEY = `${PROJECT}:services`;

export function resolveCatalog(
  definitions: readonly ServiceDefinition[],
  options: CatalogOptions,
): { catalog: ResolvedCatalog; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const baseContext: Omit<CatalogContext, "routes" | "enabledServices"> = {
    domain: options.domain,
    networkName: options.networkName,
    hostname: (subdomain) => `${subdomain}.${options.domain}`,
    operatorKeys: options.operatorKeys,
    addressesOf: (service) => options.addresses?.get(service) ?? [],
    settings: options.settings,
    hostPrograms: options.hostPrograms,
  };

  // Pass 1 collects routes and the enabled set (which never depend on either); pass 2 gives them to
  // entries like Caddy (routes) and Postfix (whether the archive is enabled).
  const declared = definitions.map((d) => d({ ...baseContext, routes: [], enabledServices: new Set() }));
  problems.push(...catalogIntegrityProblems(declared));
  const firstPass = applyOverrides(declared, options, problems);
  problems.push(...portAndRouteProblems(firstPass));
  const routes = routesOf(firstPass, baseContext, problems);
  const enabledServices = new Set(firstPass.map((s) => s.name));
  const services = applyOverrides(
    definitions.map((d) => d({ ...baseContext, routes, enabledServices })),
    options,
    [],
  );
  problems.push(...secretsOfDisabledServices(services));
  problems.push(...missingOperatorSecrets(services, options.operatorKeys));

  const generatedSecrets = new Map<string, GeneratedSecretSpec>();
  for (const service of services) {
    for (const spec of service.generatedSecrets ?? []) generatedSecrets.set(spec.name, spec);
  }
  return { catalog: { services, routes, generatedSecrets }, problems };
}

function applyOverrides(declared: readonly ServiceDeclaration[], options: CatalogOptions, problems: ConfigProblem[]): ServiceDeclaration[] {
  const names = new Set(declared.map((s) => s.name));
  for (const name of Object.keys(options.overrides)) {
    if (!names.has(name)) {
      const suggestion = closestMatch(name, names);
      problems.push({
        key: `${SERVICES_KEY}.${name}`,
        expected: `no such service${suggestion ? ` (did you mean "${suggestion}"?)` : ""}; services: ${[...names].sort().join(", ")}`,
      });
    }
  }

  for (const service of declared) {
    if (service.gate && !service.gate.enabled && options.overrides[service.name]?.disabled === false) {
      problems.push({
        key: `${SERVICES_KEY}.${service.name}.disabled`,
        found: "false",
        expected: `${service.name} stays off: ${service.gate.reason}${service.gate.key ? `; set ${PROJECT}:${service.gate.key} to enable it` : ""}`,
      });
    }
  }

  const isOn = (service: ServiceDeclaration) => !options.overrides[service.name]?.disabled && (service.gate?.enabled ?? true);
  const byName = new Map(declared.map((s) => [s.name, s]));
  const enabled = declared.filter(isOn).map((service) => applyOverride(service, options.overrides[service.name], options, problems));

  const enabledNames = new Set(enabled.map((s) => s.name));
  for (const service of enabled) {
    for (const dependency of service.dependsOn ?? []) {
      if (!names.has(dependency) || enabledNames.has(dependency)) continue;
      const gate = byName.get(dependency)?.gate;
      problems.push(
        gate && !gate.enabled
          ? {
              key: `${SERVICES_KEY}.${service.name}`,
              expected: `depends on ${dependency}, which is off (${gate.reason}); disable ${service.name} too${gate.key ? `, or set ${PROJECT}:${gate.key}` : ""}`,
            }
          : {
              key: `${SERVICES_KEY}.${dependency}.disabled`,
              found: "true",
              expected: `${service.name} depends on ${dependency}; disable ${service.name} too, or keep ${dependency}`,
            },
      );
    }
  }
  return enabled;
}

function applyOverride(
  service: ServiceDeclaration,
  override: ServiceOverride | undefined,
  options: CatalogOptions,
  problems: ConfigProblem[],
): ServiceDeclaration {
  if (!override) return service;
  const key = `${SERVICES_KEY}.${service.name}`;
  const secretEnv: Record<string, SecretValue> = { ...service.secretEnv };
  const generatedSecrets = [...(service.generatedSecrets ?? [])];

  for (const [variable, source] of Object.entries(override.secrets ?? {})) {
    if (service.env?.[variable] !== undefined || override.env?.[variable] !== undefined) {
      problems.push({ key: `${key}.secrets.${variable}`, expected: `${variable} is also set as plain env; keep one` });
    }
    if ("generate" in source) {
      const name = `${service.name}-${variable.toLowerCase().replaceAll("_", "-")}`;
      generatedSecrets.push({ name, description: `${variable} of ${service.name} (generated by an override).` });
      secretEnv[variable] = generated(name, source.generate === "hex32" ? "hex" : "base64");
    } else if (!options.extraSecretNames.has(source.fromConfig)) {
      const suggestion = closestMatch(source.fromConfig, options.extraSecretNames);
      problems.push({
        key: `${key}.secrets.${variable}.fromConfig`,
        found: displayValue(source.fromConfig),
        expected: `no such entry in ${PROJECT}:extraSecrets${suggestion ? ` (did you mean "${suggestion}"?)` : ""}; add it with \`pulumi config set --secret --path 'extraSecrets.${source.fromConfig}' <value>\``,
      });
    } else {
      secretEnv[variable] = operator("extraSecrets", { path: source.fromConfig });
    }
  }

  let route = service.route;
  if (override.subdomain !== undefined) {
    if (!route) {
      problems.push({
        key: `${key}.subdomain`,
        found: displayValue(override.subdomain),
        expected: `${service.name} has no public route (its routing posture is not cloudflared)`,
      });
    } else {
      route = { ...route, subdomain: override.subdomain };
    }
  }

  if (override.image !== undefined && service.kind === "host") {
    problems.push({
      key: `${key}.image`,
      found: displayValue(override.image),
      expected: `${service.name} runs on the host, not in a container; it has no image`,
    });
  }

  return {
    ...service,
    ...(override.image === undefined || service.kind === "host" ? {} : { image: override.image }),
    env: { ...service.env, ...override.env },
    secretEnv,
    generatedSecrets,
    ...(route === undefined ? {} : { route }),
  };
}

function routesOf(
  services: readonly ServiceDeclaration[],
  context: Omit<CatalogContext, "routes" | "enabledServices">,
  problems: ConfigProblem[],
): ResolvedRoute[] {
  const byHostname = new Map<string, string>();
  const routes: ResolvedRoute[] = [];
  for (const service of services) {
    if (!service.route) continue;
    const hostname = context.hostname(service.route.subdomain);
    const owner = byHostname.get(hostname);
    if (owner) {
      problems.push({
        key: `${SERVICES_KEY}.${service.name}.subdomain`,
        found: displayValue(service.route.subdomain),
        expected: `${hostname} is already the hostname of ${owner}; every hostname must be unique`,
      });
      continue;
    }
    byHostname.set(hostname, service.name);
    const host = service.route.upstream.onHost ? "host.containers.internal" : service.name;
    routes.push({
      service: service.name,
      hostname,
      upstream: `${host}:${service.route.upstream.port}`,
      paths: (service.route.paths ?? []).map(({ path, port }) => ({ path, upstream: `${host}:${port}` })),
    });
  }
  return routes;
}

/** A service may use a secret another service owns; disabling the owner leaves it dangling. */
function secretsOfDisabledServices(services: readonly ServiceDeclaration[]): ConfigProblem[] {
  const available = new Set(services.flatMap((s) => (s.generatedSecrets ?? []).map((g) => g.name)));
  const problems: ConfigProblem[] = [];
  for (const service of services) {
    for (const leaf of new Set(
      secretValuesOf(service)
        .flatMap(leavesOf)
        .filter((l) => l.kind === "generated")
        .map((l) => l.name),
    )) {
      if (!available.has(leaf)) {
        problems.push({
          key: `${SERVICES_KEY}.${service.name}`,
          expected: `uses the generated secret ${leaf}, whose owning service is disabled; disable ${service.name} too`,
        });
      }
    }
  }
  return problems;
}

/** Operator credentials an enabled service needs (a leaf that is not optional) and the stack lacks. */
function missingOperatorSecrets(services: readonly ServiceDeclaration[], operatorKeys: ReadonlySet<string>): ConfigProblem[] {
  const needed = new Map<string, string[]>();
  for (const service of services) {
    for (const leaf of secretValuesOf(service).flatMap(leavesOf)) {
      if (leaf.kind !== "operator" || leaf.optional || operatorKeys.has(leaf.key)) continue;
      needed.set(leaf.key, [...new Set([...(needed.get(leaf.key) ?? []), service.name])]);
    }
  }
  return [...needed].map(([configKey, users]) => ({
    key: `${PROJECT}:${configKey}`,
    expected: `missing: ${users.join(", ")} ${users.length > 1 ? "need" : "needs"} it. Set it with \`pulumi config set --secret ${configKey} <value>\`, or disable ${users.length > 1 ? "them" : "it"} (${users.map((u) => `services.${u}.disabled: true`).join(", ")}).`,
  }));
}

/** Every secret description a service uses. */
export function secretValuesOf(service: ServiceDeclaration): SecretValue[] {
  return [...Object.values(service.secretEnv ?? {}), ...(service.kind === "host" ? [] : (service.secretFiles ?? []).map((f) => f.content))];
}

/** How a problem in a catalogue entry is named: the entry a contributor edits. */
export function catalogueEntryKey(service: string): string {
  return `catalogue entry ${service} (infra/catalog/)`;
}

/** The catalogue's own consistency: a problem here is a mistake in an entry, not in the stack file. */
function catalogIntegrityProblems(services: readonly ServiceDeclaration[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = new Set<string>();
  const secrets = new Set<string>();
  for (const service of services) {
    if (names.has(service.name)) problems.push({ key: catalogueEntryKey(service.name), expected: "a service name no other entry uses" });
    names.add(service.name);
    for (const spec of service.generatedSecrets ?? []) {
      if (secrets.has(spec.name)) {
        problems.push({
          key: catalogueEntryKey(service.name),
          found: displayValue(spec.name),
          expected: "a generated secret name no other entry declares",
        });
      }
      secrets.add(spec.name);
    }
  }
  for (const service of services) {
    for (const dependency of service.dependsOn ?? []) {
      if (!names.has(dependency)) {
        problems.push({
          key: `${catalogueEntryKey(service.name)}.dependsOn`,
          found: displayValue(dependency),
          expected: `a service of the catalogue`,
        });
      }
    }
    for (const leaf of secretValuesOf(service).flatMap(leavesOf)) {
      if (leaf.kind === "generated" && !secrets.has(leaf.name)) {
        problems.push({
          key: catalogueEntryKey(service.name),
          found: displayValue(leaf.name),
          expected: "a generated secret some entry declares",
        });
      }
    }
    problems.push(...backupProblems(service));
  }
  return problems;
}

const RETENTION_PERIODS: readonly (keyof BackupRetention)[] = ["hourly", "daily", "weekly", "monthly"];

/**
 * A backup declaration must describe the entry it is on: the database its sidecar creates, volumes
 * it mounts, a retention restic can apply (docs/backups.md). Checked as data, since entries are
 * plain objects a contributor writes (and a JavaScript caller can put anything in).
 */
export function backupProblems(service: ServiceDeclaration): ConfigProblem[] {
  const backup = service.backup;
  if (backup === undefined) return [];
  const key = `${catalogueEntryKey(service.name)}.backup`;
  const problems: ConfigProblem[] = [];
  const problem = (field: string, found: unknown, expected: string) =>
    problems.push({ key: `${key}${field}`, ...(found === undefined ? {} : { found: displayValue(found) }), expected });
  if (service.kind === "host") {
    problem("", undefined, "no backup on a host service: only container services hold data here");
    return problems;
  }
  if (!(BACKUP_KINDS as readonly string[]).includes(backup.kind)) problem(".kind", backup.kind, `one of ${BACKUP_KINDS.join(", ")}`);
  if (!(BACKUP_SCHEDULES as readonly string[]).includes(backup.schedule))
    problem(".schedule", backup.schedule, `one of ${BACKUP_SCHEDULES.join(", ")}`);
  const retention = (backup.retention ?? {}) as Record<string, unknown>;
  for (const [period, count] of Object.entries(retention)) {
    if (!(RETENTION_PERIODS as readonly string[]).includes(period)) {
      problem(`.retention.${period}`, count, `a period of ${RETENTION_PERIODS.join(", ")}`);
    } else if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
      problem(`.retention.${period}`, count, "a whole number of snapshots, 0 or more");
    }
  }
  if (
    !RETENTION_PERIODS.some((period) => {
      const count = retention[period];
      return typeof count === "number" && count > 0;
    })
  ) {
    problem(".retention", retention, "at least one period that keeps a snapshot (restic would forget them all)");
  }
  if (backup.schedule === "daily" && typeof retention.hourly === "number" && retention.hourly > 0) {
    problem(".retention.hourly", retention.hourly, "no hourly retention on a daily schedule (there is one snapshot a day)");
  }
  const volumes = new Set((service.volumes ?? []).flatMap((v) => (v.kind === "volume" ? [v.name] : [])));
  const needVolume = (field: string, name: unknown) => {
    if (typeof name !== "string" || !volumes.has(name))
      problem(field, name, `a named volume of ${service.name} (${[...volumes].join(", ") || "it has none"})`);
  };
  switch (backup.kind) {
    case "postgres":
      if (service.env?.POSTGRES_DB !== backup.database)
        problem(".database", backup.database, `the sidecar's POSTGRES_DB (${service.env?.POSTGRES_DB ?? "unset"})`);
      if (service.env?.POSTGRES_USER !== backup.user)
        problem(".user", backup.user, `the sidecar's POSTGRES_USER (${service.env?.POSTGRES_USER ?? "unset"})`);
      break;
    case "mariadb":
      if (service.env?.MARIADB_DATABASE !== backup.database)
        problem(".database", backup.database, `the sidecar's MARIADB_DATABASE (${service.env?.MARIADB_DATABASE ?? "unset"})`);
      if (service.secretEnv?.[backup.passwordEnv] === undefined)
        problem(".passwordEnv", backup.passwordEnv, "a secret variable of the entry (the root password the dump logs in with)");
      break;
    case "sqlite":
      needVolume(".volume", backup.volume);
      if (
        typeof backup.database !== "string" ||
        !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(backup.database) ||
        backup.database.includes("..")
      )
        problem(".database", backup.database, "the database file's path inside the volume (letters, digits, . _ - and /)");
      break;
    case "files":
      if (!Array.isArray(backup.volumes) || backup.volumes.length === 0) problem(".volumes", backup.volumes, "at least one named volume");
      else backup.volumes.forEach((name, i) => needVolume(`.volumes[${i}]`, name));
      break;
  }
  return problems;
}

/**
 * What would pass planning and fail at boot: two services publishing one host port, a route to a
 * port the container does not expose, a public route without a `cloudflared` port or the reverse.
 */
function portAndRouteProblems(services: readonly ServiceDeclaration[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const hostPorts = new Map<string, string>();
  for (const service of services) {
    const key = catalogueEntryKey(service.name);
    for (const port of service.ports ?? []) {
      if (port.host === undefined) continue;
      const binding = `${port.host}/${port.protocol ?? "tcp"}`;
      const owner = hostPorts.get(binding);
      if (owner)
        problems.push({ key: `${key}.ports`, found: displayValue(binding), expected: `a host port ${owner} does not already publish` });
      else hostPorts.set(binding, service.name);
    }
    const exposed = new Set((service.ports ?? []).map((p) => p.container));
    const routed = (service.ports ?? []).some((p) => p.posture === "cloudflared");
    if (!service.route) {
      if (routed) problems.push({ key: `${key}.route`, expected: "a public route: the entry has a cloudflared port" });
      continue;
    }
    if (!routed) problems.push({ key: `${key}.ports`, expected: "a port with posture cloudflared: the entry has a public route" });
    if (service.route.upstream.onHost) continue;
    for (const port of [service.route.upstream.port, ...(service.route.paths ?? []).map((p) => p.port)]) {
      if (!exposed.has(port))
        problems.push({
          key: `${key}.route`,
          found: displayValue(port),
          expected: `one of the container's ports (${[...exposed].join(", ") || "none"})`,
        });
    }
  }
  return problems;
}
