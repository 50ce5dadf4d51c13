import { describe, expect, it } from "vitest";
import { CATALOG } from ".";
import { type CatalogOptions, resolveCatalog } from "./resolveCatalog";
import { generated, leavesOf, operator } from "./secretValue";
import { type ContainerService, isHostService, type ServiceDeclaration, type ServiceDefinition } from "./types";

const OPTIONS: CatalogOptions = {
  domain: "example.com",
  networkName: "harness",
  overrides: {},
  extraSecretNames: new Set(["braveApiKey"]),
  // The operator credentials the shipped catalogue requires (mail certificate and mailboxes).
  operatorKeys: new Set(["mailTlsCertificate", "mailTlsPrivateKey", "mailUsers", "extraSecrets"]),
  settings: { mailDomains: ["example.com"], mailHostname: "mail.example.com", pilerTransparencyNoticeConfirmed: false },
  hostPrograms: {},
};

function container(services: readonly ServiceDeclaration[], name: string): ContainerService {
  const service = services.find((s) => s.name === name);
  if (!service || isHostService(service)) throw new Error(`no container service ${name}`);
  return service;
}

const resolve = (overrides: CatalogOptions["overrides"], definitions = CATALOG) => resolveCatalog(definitions, { ...OPTIONS, overrides });

describe("resolveCatalog", () => {
  it("resolves the shipped catalogue with no problems and derives a public route for every cloudflared service", () => {
    const { catalog, problems } = resolve({});
    expect(problems).toEqual([]);
    expect(catalog.routes).toContainEqual({
      service: "paperclip",
      hostname: "paperclip.example.com",
      upstream: "paperclip:3100",
      paths: [],
    });
    const cloudflared = catalog.services.filter((s) => s.ports?.some((p) => p.posture === "cloudflared")).map((s) => s.name);
    expect(catalog.routes.map((r) => r.service).sort()).toEqual(cloudflared.sort());
  });

  it("gives Caddy every public route, including ones added by other entries", () => {
    const extra: ServiceDefinition = () => ({
      name: "wiki",
      description: "A wiki",
      image: "docker.io/library/wiki:1",
      ports: [
        { container: 8080, posture: "cloudflared" },
        { container: 8081, posture: "cloudflared" },
      ],
      route: { subdomain: "wiki", upstream: { port: 8080 }, paths: [{ path: "/ws", port: 8081 }] },
      restart: "always",
    });
    const { catalog } = resolve({}, [...CATALOG, extra]);
    const caddyfile = container(catalog.services, "caddy").configFiles!.find((f) => f.name === "Caddyfile")!.content;
    const site = caddyfile.slice(caddyfile.indexOf("http://wiki.example.com {"));
    const block = site.slice(0, site.indexOf("\n}\n"));
    expect(block).toMatch(/\treverse_proxy \/ws\* wiki:8081\b[\s\S]*\treverse_proxy wiki:8080\b/);
  });

  it("applies image, env and secret overrides", () => {
    const { catalog, problems } = resolve({
      paperclip: {
        image: "ghcr.io/acme/paperclip:v2",
        env: { LOG_LEVEL: "debug" },
        secrets: { BRAVE_API_KEY: { fromConfig: "braveApiKey" }, WEBHOOK_SECRET: { generate: "hex32" } },
      },
    });
    expect(problems).toEqual([]);
    const paperclip = container(catalog.services, "paperclip");
    expect(paperclip.image).toBe("ghcr.io/acme/paperclip:v2");
    expect(paperclip.env?.LOG_LEVEL).toBe("debug");
    expect(paperclip.secretEnv?.BRAVE_API_KEY).toEqual(operator("extraSecrets", { path: "braveApiKey" }));
    expect(paperclip.secretEnv?.WEBHOOK_SECRET).toEqual(generated("paperclip-webhook-secret"));
    expect(catalog.generatedSecrets.has("paperclip-webhook-secret")).toBe(true);
  });

  it("reports a reference to an extraSecrets entry that does not exist", () => {
    const { problems } = resolve({ paperclip: { secrets: { BRAVE_API_KEY: { fromConfig: "braveApiKy" } } } });
    expect(problems).toEqual([
      {
        key: "paperclip-harness:services.paperclip.secrets.BRAVE_API_KEY.fromConfig",
        found: '"braveApiKy"',
        expected:
          "no such entry in paperclip-harness:extraSecrets (did you mean \"braveApiKey\"?); add it with `pulumi config set --secret --path 'extraSecrets.braveApiKy' <value>`",
      },
    ]);
  });

  it("refuses to disable a service others depend on", () => {
    const { problems } = resolve({ "paperclip-db": { disabled: true } });
    expect(problems.map((p) => `${p.key}: ${p.expected}`)).toEqual([
      "paperclip-harness:services.paperclip-db.disabled: paperclip depends on paperclip-db; disable paperclip too, or keep paperclip-db",
      "paperclip-harness:services.paperclip: uses the generated secret paperclip-db-password, whose owning service is disabled; disable paperclip too",
    ]);
  });

  it("removes a disabled service and its route", () => {
    const { catalog, problems } = resolve({ paperclip: { disabled: true } });
    expect(problems).toEqual([]);
    expect(catalog.services.map((s) => s.name)).not.toContain("paperclip");
    expect(catalog.routes.map((r) => r.service)).not.toContain("paperclip");
  });

  it("reports two services on one hostname", () => {
    const second: ServiceDefinition = () => ({
      name: "board",
      description: "Another board",
      image: "docker.io/library/board:1",
      ports: [{ container: 80, posture: "cloudflared" }],
      route: { subdomain: "board", upstream: { port: 80 } },
      restart: "always",
    });
    const { problems } = resolve({ board: { subdomain: "paperclip" } }, [...CATALOG, second]);
    expect(problems).toEqual([
      {
        key: "paperclip-harness:services.board.subdomain",
        found: '"paperclip"',
        expected: "paperclip.example.com is already the hostname of paperclip; every hostname must be unique",
      },
    ]);
  });

  it("reports an inconsistent catalogue entry as a problem naming the entry, not a stack trace", () => {
    const broken: ServiceDefinition = () => ({
      name: "broken",
      description: "Uses a secret nobody declares",
      image: "docker.io/library/x:1",
      secretEnv: { TOKEN: generated("nobody-declares-this") },
      restart: "always",
    });
    expect(resolve({}, [...CATALOG, broken]).problems).toContainEqual({
      key: "catalogue entry broken (infra/catalog/)",
      found: '"nobody-declares-this"',
      expected: "a generated secret some entry declares",
    });
  });

  it.each([
    [
      "a host port another service publishes",
      { ports: [{ container: 80, host: 4000, posture: "internal" as const }] },
      {
        key: "catalogue entry extra (infra/catalog/).ports",
        found: '"4000/tcp"',
        expected: "a host port litellm does not already publish",
      },
    ],
    [
      "a route to a port the container does not expose",
      { ports: [{ container: 80, posture: "cloudflared" as const }], route: { subdomain: "extra", upstream: { port: 8080 } } },
      { key: "catalogue entry extra (infra/catalog/).route", found: "8080", expected: "one of the container's ports (80)" },
    ],
    [
      "a public route without a cloudflared port",
      { ports: [{ container: 80, posture: "internal" as const }], route: { subdomain: "extra", upstream: { port: 80 } } },
      { key: "catalogue entry extra (infra/catalog/).ports", expected: "a port with posture cloudflared: the entry has a public route" },
    ],
    [
      "a cloudflared port without a public route",
      { ports: [{ container: 80, posture: "cloudflared" as const }] },
      { key: "catalogue entry extra (infra/catalog/).route", expected: "a public route: the entry has a cloudflared port" },
    ],
  ])("reports %s", (_, shape, problem) => {
    const extra: ServiceDefinition = () => ({
      name: "extra",
      description: "Extra",
      image: "docker.io/library/x:1",
      restart: "always",
      ...shape,
    });
    expect(resolve({}, [...CATALOG, extra]).problems).toEqual([problem]);
  });

  it("only ever references generated secrets some service declares", () => {
    const { catalog } = resolve({});
    const used = catalog.services.flatMap((s) =>
      [...Object.values(s.secretEnv ?? {}), ...(isHostService(s) ? [] : (s.secretFiles ?? []).map((f) => f.content))].flatMap(leavesOf),
    );
    for (const leaf of used) if (leaf.kind === "generated") expect(catalog.generatedSecrets.has(leaf.name)).toBe(true);
  });

  it("declares a backup on every service with a named volume of data, except the ones whose data is rebuilt", () => {
    const { catalog } = resolve({});
    const backedUp = catalog.services.filter((s) => s.backup).map((s) => `${s.name}:${s.backup!.kind}`);
    expect(backedUp.sort()).toEqual(
      [
        "dovecot:files",
        "litellm-db:postgres",
        "openwebui-db:postgres",
        "openwebui:files",
        "paperclip-db:postgres",
        "paperclip:files",
        "rspamd:files",
        "twenty-db:postgres",
        "twenty:files",
        "vaultwarden:sqlite",
      ].sort(),
    );
    // Caddy's certificates are re-issued, Postfix's spool is in flight, Redis is a cache, and the
    // worker shares Twenty's volume.
    const withVolumes = catalog.services.filter((s) => !isHostService(s) && (s.volumes ?? []).some((v) => v.kind === "volume"));
    expect(
      withVolumes
        .filter((s) => !s.backup)
        .map((s) => s.name)
        .sort(),
    ).toEqual(
      ["caddy", "litellm-redis", "openwebui-redis", "postfix", "twenty-redis", "twenty-worker"].filter((n) =>
        withVolumes.some((s) => s.name === n),
      ),
    );
  });

  const BASE = { schedule: "daily" as const, retention: { daily: 7 } };
  it.each([
    [
      "a postgres backup of another database than the sidecar's",
      { env: { POSTGRES_DB: "app", POSTGRES_USER: "app" }, backup: { ...BASE, kind: "postgres" as const, database: "other", user: "app" } },
      [{ key: "catalogue entry extra (infra/catalog/).backup.database", found: '"other"', expected: "the sidecar's POSTGRES_DB (app)" }],
    ],
    [
      "a sqlite backup of a volume the entry does not mount",
      { backup: { ...BASE, kind: "sqlite" as const, volume: "nope", database: "db.sqlite3" } },
      [{ key: "catalogue entry extra (infra/catalog/).backup.volume", found: '"nope"', expected: "a named volume of extra (it has none)" }],
    ],
    [
      "a mariadb backup without its password variable",
      { env: { MARIADB_DATABASE: "db" }, backup: { ...BASE, kind: "mariadb" as const, database: "db", passwordEnv: "ROOT_PW" } },
      [
        {
          key: "catalogue entry extra (infra/catalog/).backup.passwordEnv",
          found: '"ROOT_PW"',
          expected: "a secret variable of the entry (the root password the dump logs in with)",
        },
      ],
    ],
    [
      "a retention that keeps nothing, and a negative count",
      {
        volumes: [{ kind: "volume" as const, name: "data", mountPath: "/data" }],
        backup: { schedule: "daily" as const, retention: { daily: -1 }, kind: "files" as const, volumes: ["data"] },
      },
      [
        {
          key: "catalogue entry extra (infra/catalog/).backup.retention.daily",
          found: "-1",
          expected: "a whole number of snapshots, 0 or more",
        },
        {
          key: "catalogue entry extra (infra/catalog/).backup.retention",
          found: '{"daily":-1}',
          expected: "at least one period that keeps a snapshot (restic would forget them all)",
        },
      ],
    ],
    [
      "an unknown schedule and hourly retention of a daily backup",
      {
        volumes: [{ kind: "volume" as const, name: "data", mountPath: "/data" }],
        backup: { schedule: "weekly" as "daily", retention: { hourly: 24 }, kind: "files" as const, volumes: ["data"] },
      },
      [{ key: "catalogue entry extra (infra/catalog/).backup.schedule", found: '"weekly"', expected: "one of hourly, daily" }],
    ],
  ])("reports %s as a catalogue problem", (_, shape, problems) => {
    const extra: ServiceDefinition = () => ({
      name: "extra",
      description: "Extra",
      image: "docker.io/library/x:1",
      restart: "always",
      ...shape,
    });
    expect(resolve({}, [...CATALOG, extra]).problems).toEqual(problems);
  });
});
