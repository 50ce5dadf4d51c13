/**
 * A compliant fedora harness as leaf resources, shaped like the Harness component's output: unit
 * files rendered by the project's own renderer and written by `# harness:file` commands, Podman
 * secrets created from stdin (generated ones fed by RandomBytes), two networks (the harness and the
 * mail stack's own). Tests mutate the spec, then build the resources.
 */
import { createSecretScript, writeFileScript } from "../../components/podman/hostCommands";
import { renderUnit } from "../../components/podman/renderUnit";
import type { ContainerUnit, ServiceUnit, UnitFile } from "../../components/podman/unitModel";
import type { AnalyzerResource } from "../runAnalyzer";
import { resource, secret, urnOf } from "./wire";
import { PAPERCLIP_IMAGE } from "../../components/paperclip/paperclipRelease";

export interface FedoraSpec {
  units: UnitFile[];
  /** Files written by the Harness; `mode` 0600 makes one a secret file (default 0644). */
  configFiles: { path: string; content: string; mode?: string }[];
  secrets: { name: string; value: string; from?: string }[];
  randoms: string[];
}

const HARNESS = "harness:podman:Harness";
const RANDOM = "random:index/randomBytes:RandomBytes";
const COMMAND = "command:remote:Command";
const connection = { host: "harness.example.com", user: "harness", privateKey: secret("-----BEGIN OPENSSH PRIVATE KEY-----fixture") };

export function randomUrn(name: string): string {
  return urnOf(RANDOM, `${name}-bytes`, "harness:secrets:Secret32");
}

const health = (port: number, host = "localhost") => ["CMD", "curl", "-fsS", "-H", `Host: ${host}`, `http://127.0.0.1:${port}/api/health`];

export function fedoraSpec(): FedoraSpec {
  const target = { WantedBy: ["harness.target"] };
  const units: UnitFile[] = [
    { kind: "network", name: "harness", network: { NetworkName: "harness", Subnet: ["10.89.0.0/24"] } },
    { kind: "network", name: "mail", network: { NetworkName: "mail", Subnet: ["10.90.0.0/24"] } },
    {
      kind: "container",
      name: "paperclip",
      container: {
        Image: PAPERCLIP_IMAGE,
        ContainerName: "paperclip",
        Network: ["harness.network"],
        PublishPort: [{ hostIp: "127.0.0.1", hostPort: 3100, containerPort: 3100 }],
        Volume: [
          { source: "paperclip-data.volume", destination: "/paperclip" },
          {
            source: { withSpecifiers: "%h/.config/harness/paperclip/claude-managed-settings.json" },
            destination: "/etc/claude-code/managed-settings.json",
            options: ["ro", "Z"],
          },
        ],
        Environment: {
          PAPERCLIP_DEPLOYMENT_MODE: "authenticated",
          PAPERCLIP_DEPLOYMENT_EXPOSURE: "private",
          PAPERCLIP_PUBLIC_URL: "https://paperclip.example.com",
          PAPERCLIP_ALLOWED_HOSTNAMES: "paperclip.example.com",
          ANTHROPIC_BASE_URL: "http://litellm:4000",
          OPENAI_BASE_URL: "http://litellm:4000",
        },
        Secret: [
          { name: "paperclip-better-auth-secret", type: "env", target: "PAPERCLIP_AGENT_JWT_SECRET" },
          { name: "paperclip-anthropic-auth-token", type: "env", target: "ANTHROPIC_AUTH_TOKEN" },
          { name: "paperclip-openai-api-key", type: "env", target: "OPENAI_API_KEY" },
        ],
        HealthCmd: health(3100),
      },
      service: { Restart: "on-failure" },
      install: target,
    },
    {
      kind: "container",
      name: "litellm",
      container: {
        Image: "ghcr.io/berriai/litellm:v1.108.5",
        ContainerName: "litellm",
        Network: ["harness.network"],
        PublishPort: [{ hostIp: "127.0.0.1", hostPort: 4000, containerPort: 4000 }],
        Volume: [
          { source: { withSpecifiers: "%h/.config/harness/litellm/litellm.yaml" }, destination: "/app/config.yaml", options: ["ro", "Z"] },
        ],
        Secret: [
          { name: "litellm-litellm-master-key", type: "env", target: "LITELLM_MASTER_KEY" },
          { name: "litellm-anthropic-api-key", type: "env", target: "ANTHROPIC_API_KEY" },
          { name: "litellm-openai-api-key", type: "env", target: "OPENAI_API_KEY" },
        ],
        Exec: ["--config", "/app/config.yaml", "--port", "4000"],
      },
      service: { Restart: "always" },
      install: target,
    },
    {
      kind: "container",
      name: "openwebui",
      container: {
        Image: "ghcr.io/open-webui/open-webui:main@sha256:3f1c6a3d0e8b4a9e7d2c5b8a1f4e7d0c3b6a9f2e5d8c1b4a7f0e3d6c9b2a5f8e",
        ContainerName: "openwebui",
        Network: ["harness.network"],
        PublishPort: [{ hostIp: "127.0.0.1", hostPort: 3000, containerPort: 8080 }],
        Environment: {
          OPENAI_API_BASE_URL: "http://litellm:4000",
          WEBUI_AUTH: "false",
          ENABLE_SIGNUP: "false",
          ENABLE_OLLAMA_API: "false",
        },
        Secret: [
          { name: "openwebui-openai-api-key", type: "env", target: "OPENAI_API_KEY" },
          { name: "openwebui-webui-secret-key", type: "env", target: "WEBUI_SECRET_KEY" },
        ],
      },
      service: { Restart: "always" },
      install: target,
    },
    {
      kind: "container",
      name: "llama-swap",
      container: {
        Image: "ghcr.io/mostlygeek/llama-swap:v170-vulkan-b6123",
        ContainerName: "llama-swap",
        Network: ["harness.network"],
        PublishPort: [{ hostIp: "127.0.0.1", hostPort: 9292, containerPort: 8080 }],
        AddDevice: ["/dev/dri"],
      },
      service: { Restart: "always" },
      install: target,
    },
    {
      kind: "container",
      name: "postfix",
      container: {
        Image: "docker.io/boky/postfix:4.3.0",
        ContainerName: "postfix",
        Network: ["mail.network"],
        PublishPort: [
          { hostPort: 25, containerPort: 25 },
          { hostPort: 587, containerPort: 587 },
          { hostPort: 465, containerPort: 465 },
        ],
        Environment: { HOSTNAME: "mail.example.com", ALLOWED_SENDER_DOMAINS: "example.com" },
      },
      service: { Restart: "always" },
      install: target,
    },
    {
      kind: "container",
      name: "caddy",
      container: {
        Image: "docker.io/library/caddy:2-alpine",
        ContainerName: "caddy",
        Network: ["harness.network"],
        PublishPort: [{ hostIp: "127.0.0.1", hostPort: 80, containerPort: 80 }],
        Volume: [
          { source: { withSpecifiers: "%h/.config/harness/caddy/Caddyfile" }, destination: "/etc/caddy/Caddyfile", options: ["ro", "Z"] },
        ],
      },
      service: { Restart: "always" },
      install: target,
    },
    {
      kind: "container",
      name: "cockpit",
      container: {
        Image: "quay.io/cockpit/ws:latest",
        ContainerName: "cockpit",
        PublishPort: [{ hostIp: "127.0.0.1", hostPort: 9090, containerPort: 9090 }],
      },
      service: { Restart: "always" },
      install: target,
    },
    {
      kind: "service",
      name: "email-drain",
      unit: { Description: "Drains email_outbox into sendmail" },
      service: {
        ExecStart: [{ withSpecifiers: "%h/.local/bin/email-drain" }],
        Environment: { PRODUCERS: "mcp,dlq", PRODUCER_DLQ_SENDERS: "admin@example.com" },
        EnvironmentFile: [{ withSpecifiers: "%h/.config/harness/email-drain/drain.env" }],
        Restart: "on-failure",
      },
      install: { WantedBy: ["default.target"] },
    } satisfies ServiceUnit,
  ];
  return {
    units,
    configFiles: [
      {
        path: ".config/harness/litellm/litellm.yaml",
        content: [
          "model_list:",
          "  - model_name: local-task",
          "    litellm_params: {model: openai/qwen3-4b, api_base: http://llama-swap:8080/v1}",
          "  - model_name: claude-opus-4-7",
          "    litellm_params: {model: anthropic/claude-opus-4-7, api_key: os.environ/ANTHROPIC_API_KEY}",
          "general_settings: {master_key: os.environ/LITELLM_MASTER_KEY}",
          "",
        ].join("\n"),
      },
      {
        path: ".config/harness/caddy/Caddyfile",
        content: [
          "http://paperclip.example.com {\n\treverse_proxy paperclip:3100\n}",
          "http://chat.example.com {\n\treverse_proxy openwebui:8080\n}",
          "http://cockpit.example.com {\n\treverse_proxy host.containers.internal:9090\n}",
          "",
        ].join("\n"),
      },
      { path: ".config/harness/email-drain/drain.env", content: "CLOUDFLARE_API_TOKEN=cfut_fixtureQueueConsumerToken0001\n", mode: "0600" },
      {
        path: ".config/harness/paperclip/claude-managed-settings.json",
        content: JSON.stringify({ env: { ANTHROPIC_BASE_URL: "http://litellm:4000", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" } }),
      },
    ],
    secrets: [
      // (the drain's queue token is a secret file, below in configFiles with mode 0600)
      {
        name: "paperclip-better-auth-secret",
        value: "9f0c2b7e4a1d8c3f6b0e5a2d7c4f1b8e3a6d9c2f5b8e1a4d7c0f3b6e9a2d5c8f",
        from: "paperclip-better-auth-secret",
      },
      {
        name: "paperclip-database-url",
        value: "postgres://paperclip:7c1e4b9a2f5d8c3e6b1a4f7d0c3e6b9a@paperclip-db:5432/paperclip",
        from: "paperclip-db-password",
      },
      // The agents' and OpenWebUI's scoped virtual keys, each generated on its own (never the master key).
      {
        name: "paperclip-anthropic-auth-token",
        value: "sk-1a4d7c0f3b6e9a2d5c8f1b4e7a0d3c6f1a4d7c0f3b6e9a2d5c8f1b4e7a0d3c6f",
        from: "litellm-paperclip-key",
      },
      {
        name: "paperclip-openai-api-key",
        value: "sk-1a4d7c0f3b6e9a2d5c8f1b4e7a0d3c6f1a4d7c0f3b6e9a2d5c8f1b4e7a0d3c6f",
        from: "litellm-paperclip-key",
      },
      {
        name: "litellm-litellm-master-key",
        value: "sk-5e8b1d4a7c0f3e6b9d2a5c8f1e4b7a0d5e8b1d4a7c0f3e6b9d2a5c8f1e4b7a0d",
        from: "litellm-master-key",
      },
      { name: "litellm-anthropic-api-key", value: "sk-ant-api03-fixtureAnthropicKey0001" },
      { name: "litellm-openai-api-key", value: "sk-proj-fixtureOpenAiKey0000000002" },
      {
        name: "openwebui-openai-api-key",
        value: "sk-6f3c0e9b2d5a8f1c4e7b0a3d6c9f2e5b6f3c0e9b2d5a8f1c4e7b0a3d6c9f2e5b",
        from: "litellm-openwebui-key",
      },
      { name: "openwebui-webui-secret-key", value: "2b5e8a1d4c7f0b3e6a9d2c5f8b1e4a7d", from: "openwebui-webui-secret-key" },
    ],
    randoms: [
      "paperclip-better-auth-secret",
      "paperclip-db-password",
      "litellm-master-key",
      "litellm-paperclip-key",
      "litellm-openwebui-key",
      "openwebui-webui-secret-key",
    ],
  };
}

export function containerOf(spec: FedoraSpec, name: string): ContainerUnit {
  const unit = spec.units.find((u): u is ContainerUnit => u.kind === "container" && u.name === name);
  if (!unit) throw new Error(`fixture has no container ${name}`);
  return unit;
}

function unitPath(unit: UnitFile): string {
  const file = `${unit.name}.${unit.kind}`;
  return unit.kind === "service" || unit.kind === "target" || unit.kind === "timer"
    ? `.config/systemd/user/${file}`
    : `.config/containers/systemd/${file}`;
}

export function fileCommand(path: string, content: string, mode = "0644"): AnalyzerResource {
  const stdin = mode === "0644" ? content : secret(content);
  const name = `harness-file-${path.split("/").slice(-2).join("-")}`;
  return resource(
    COMMAND,
    name,
    { connection, create: writeFileScript(path, mode, path.startsWith(".config/containers"), { owner: name }), stdin },
    { parentType: HARNESS },
  );
}

export function secretCommand(name: string, value: string, provenance: string[]): AnalyzerResource {
  return resource(
    COMMAND,
    `harness-secret-${name}`,
    { connection, create: createSecretScript(name, { owner: `harness-secret-${name}` }), stdin: secret(value) },
    { parentType: HARNESS, propertyDependencies: { stdin: provenance } },
  );
}

export function fedoraResources(spec: FedoraSpec): AnalyzerResource[] {
  return [
    ...spec.randoms.map((name) => resource(RANDOM, `${name}-bytes`, { length: 32 }, { parentType: "harness:secrets:Secret32" })),
    ...spec.units.map((unit) => fileCommand(unitPath(unit), renderUnit(unit, { podmanVersion: "5.4" }))),
    ...spec.configFiles.map((file) => fileCommand(file.path, file.content, file.mode)),
    ...spec.secrets.map((s) => secretCommand(s.name, s.value, s.from ? [randomUrn(s.from)] : [])),
  ];
}

/**
 * The fixture segmented as the program derives it (docs/fedora.md §Networks): one network per edge,
 * an uplink for the services with a route out, no web UI published on the host, Cockpit privileged
 * and routed through Caddy.
 */
export function segmentedFedoraSpec(): FedoraSpec {
  const spec = fedoraSpec();
  spec.units.push({
    kind: "container",
    name: "egress-proxy",
    container: { Image: "localhost/egress-proxy:squid-debian12.11", ContainerName: "egress-proxy" },
    service: { Restart: "always" },
    install: { WantedBy: ["harness.target"] },
  });
  const networks: Record<string, string[]> = {
    caddy: ["caddy-uplink", "caddy-to-paperclip", "caddy-to-openwebui", "caddy-to-cockpit"],
    paperclip: ["caddy-to-paperclip", "paperclip-to-litellm", "paperclip-to-egress-proxy"],
    litellm: ["litellm-uplink", "paperclip-to-litellm", "openwebui-to-litellm", "litellm-to-llama-swap"],
    openwebui: ["caddy-to-openwebui", "openwebui-to-litellm"],
    "llama-swap": ["litellm-to-llama-swap"],
    cockpit: ["cockpit-uplink", "caddy-to-cockpit"],
    "egress-proxy": ["egress-proxy-uplink", "paperclip-to-egress-proxy"],
  };
  // Each network a unit of its own, as the program renders them: edges Internal, uplinks not.
  spec.units = spec.units.filter((u) => u.kind !== "network" || u.name === "mail");
  const names = [...new Set(Object.values(networks).flat())].sort();
  spec.units.unshift(
    ...names.map((name, i): UnitFile => ({
      kind: "network",
      name,
      network: {
        NetworkName: `systemd-${name}`,
        Subnet: [`10.89.${Math.floor(i / 32)}.${(i % 32) * 8}/29`],
        ...(name.endsWith("-uplink") ? {} : { Internal: true }),
        Options: ["isolate=true"],
      },
    })),
  );
  for (const [name, list] of Object.entries(networks)) containerOf(spec, name).container.Network = list.map((n) => `${n}.network`);
  // Caddy has a fixed address on each of its networks (the network's first host but one), and each
  // routing site admits those addresses only, the Tunnel's way in through Podman's port forwarding.
  const caddyAddresses = networks.caddy!.map((n) => {
    const [a, b, c, d] = (/^([\d.]+)\//.exec(subnetOf(spec, n))?.[1] ?? "").split(".").map(Number);
    return { network: n, ip: `${a}.${b}.${c}.${d! + 2}` };
  });
  containerOf(spec, "caddy").container.Network = caddyAddresses.map(({ network, ip }) => `${network}.network:ip=${ip}`);
  Object.assign(containerOf(spec, "paperclip").container.Environment!, {
    HTTP_PROXY: "http://egress-proxy:3128",
    HTTPS_PROXY: "http://egress-proxy:3128",
    NO_PROXY: "localhost,127.0.0.1,::1,litellm",
  });
  for (const name of ["openwebui", "llama-swap", "cockpit", "paperclip"]) delete containerOf(spec, name).container.PublishPort;
  containerOf(spec, "cockpit").container.PodmanArgs = ["--privileged", "--pid=host"];
  const caddyfile = spec.configFiles.find((f) => f.path.endsWith("Caddyfile"))!;
  const sources = caddyAddresses.map((a) => a.ip).join(" ");
  caddyfile.content = [
    `(tunnel_only) {\n\t@around_tunnel not remote_ip ${sources}\n\trespond @around_tunnel "Forbidden" 403\n}`,
    caddyfile.content
      .replace("host.containers.internal:9090", "cockpit:9090")
      .replaceAll(" {\n\treverse_proxy", " {\n\timport tunnel_only\n\treverse_proxy"),
  ].join("\n");
  return spec;
}

function subnetOf(spec: FedoraSpec, network: string): string {
  const unit = spec.units.find((u) => u.kind === "network" && u.name === network);
  const subnet = unit?.kind === "network" ? unit.network.Subnet?.[0] : undefined;
  if (subnet === undefined) throw new Error(`fixture: network ${network} has no subnet`);
  return subnet;
}
