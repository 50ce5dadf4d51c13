import { configErrorOf } from "../../../test/support/configErrors";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FEDORA_HOST_EXECUTABLES } from "../../../cli/checkStack";
import { caddyValidator, generatedUnitNamed, postconfValidator, quadletValidator, shellcheckValidator } from "../../../cli/validators";
import { requireTool } from "../../../cli/validators/testSupport";
import { fedoraConfig } from "../../../test/support/fedoraConfig";
import { P } from "../../../test/support/fedoraStack";
import { resolveSecret } from "../../catalog/secretValue";
import { planFedora, type FedoraStackPlan } from "../fedora";
import { CATALOG } from "../../catalog";
import type { ServiceDefinition } from "../../catalog/types";

const DRAIN_PROGRAM = "#!/usr/bin/env node\n// the email drain's bundle (stand-in)\n";
const hostPrograms = { emailDrain: () => DRAIN_PROGRAM };

beforeAll(async () => {
  // Only for the stack name in error messages (planFedora is pure otherwise).
  await pulumi.runtime.setMocks(
    { newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs },
    "paperclip-harness",
    "fedora",
  );
});

function file(plan: FedoraStackPlan, key: string): string {
  const found = plan.harness.files.find((f) => f.key === key);
  if (!found) throw new Error(`no planned file ${key}`);
  return found.content;
}

describe("the fedora harness plan", () => {
  const plan = planFedora(fedoraConfig({ [`${P}pilerTransparencyNoticeConfirmed`]: "true" }), { hostPrograms });

  it("runs the email drain on the host with its program, its sendmail and a 0600 environment file", () => {
    const unit = file(plan, "email-drain.service");
    expect(unit).toMatchSnapshot();
    expect(unit).toContain("ExecStart=/usr/bin/node %h/.local/lib/paperclip-harness/email-drain.js\n");
    expect(unit).toContain("Restart=on-failure\n");
    expect(unit).toContain("RestartPreventExitStatus=78\n");
    // Sender rules per producer: dlq its one summary sender, mcp the agents' address and the people of each mail domain.
    expect(unit).toContain("Environment=PRODUCERS=mcp,dlq\n");
    expect(unit).toContain(
      'Environment="PRODUCER_MCP_SENDERS=agents@sodimo.eu,*@sodimo.eu,*@sodimonet.fr,*@yallafood.eu,*@cavisteduliban.fr"\n',
    );
    expect(unit).toContain("Environment=PRODUCER_DLQ_SENDERS=harness@sodimo.eu\n");
    expect(unit).toContain("Environment=PRODUCER_DLQ_REPLY_TO=none\n");
    expect(unit).not.toContain("ALLOWED_SENDERS");
    expect(unit).toContain("EnvironmentFile=%h/.config/harness/secrets/email-drain.env\n");
    expect(file(plan, "email-drain/email-drain.js")).toBe(DRAIN_PROGRAM);
    expect(plan.harness.files.find((f) => f.key === "email-drain/sendmail-postfix.sh")).toMatchObject({
      path: ".local/lib/paperclip-harness/sendmail-postfix.sh",
      mode: "0755",
    });
    const secret = plan.harness.secrets.find((s) => s.name === "email-drain-environment")!;
    expect(secret.path).toBe(".config/harness/secrets/email-drain.env");
    expect(resolveSecret(secret.value, (leaf) => `<${leaf.kind === "provided" ? leaf.name : "?"}>`)).toBe(
      [
        'CF_ACCOUNT_ID="<cloudflare-account-id>"',
        'CF_QUEUE_ID="<email-outbox-queue-id>"',
        'CF_DLQ_QUEUE_ID="<email-dlq-queue-id>"',
        'CF_API_TOKEN="<email-drain-api-token>"',
        'PRODUCER_MCP_KEY="<email-producer-key-mcp>"',
        'PRODUCER_DLQ_KEY="<email-producer-key-dlq>"',
        "",
      ].join("\n"),
    );
  });

  it("escapes environment-file values and refuses a line break, without showing the value", () => {
    const secret = plan.harness.secrets.find((s) => s.name === "email-drain-environment")!;
    expect(resolveSecret(secret.value, () => 'a"b\\c').split("\n")[0]).toBe('CF_ACCOUNT_ID="a\\"b\\\\c"');
    expect(() => resolveSecret(secret.value, () => "token\nEVIL=1")).toThrow(
      "environment file: the value of CF_ACCOUNT_ID contains a control character",
    );
  });

  it("stores the mail submitters' logins in Dovecot as SHA-512 digests of their passwords", () => {
    const secret = plan.harness.secrets.find((s) => s.name === "dovecot-submitters")!;
    const digest = (text: string) => createHash("sha512").update(text).digest("hex");
    expect(resolveSecret(secret.value, (leaf) => `pw-of-${leaf.kind === "generated" ? leaf.name : "?"}`)).toBe(
      `twenty:{SHA512.HEX}${digest("pw-of-twenty-smtp-password")}\nvaultwarden:{SHA512.HEX}${digest("pw-of-vaultwarden-smtp-password")}\n`,
    );
  });

  it("orders every unit after exactly its catalogue dependencies, and the target wants every service", () => {
    for (const service of plan.catalog.services) {
      const unitFile = service.kind === "host" ? `${service.name}.service` : `${service.name}.container`;
      const after = /^After=(.*)$/m.exec(file(plan, unitFile))?.[1]?.split(" ") ?? [];
      expect(after, service.name).toEqual((service.dependsOn ?? []).map((d) => `${d}.service`));
    }
    const wants = /^Wants=(.*)$/m.exec(file(plan, "sodimo.target"))![1]!.split(" ");
    // Every service, and every backup's timer.
    expect(wants).toHaveLength(plan.catalog.services.length + plan.harness.backup!.timers.length);
    expect(wants).toContain("email-drain.service");
    expect(wants).toContain("backup-vaultwarden.timer");
  });

  it("derives one Internal network per declared edge and an uplink for each service with a route out", () => {
    const memberships = Object.fromEntries(plan.harness.memberships);
    expect(memberships).toMatchObject({
      paperclip: [
        "sodimo-caddy-to-paperclip",
        "sodimo-paperclip-to-litellm",
        "sodimo-paperclip-to-paperclip-db",
        "sodimo-paperclip-to-egress-proxy",
      ],
      "paperclip-db": ["sodimo-paperclip-to-paperclip-db"],
      "egress-proxy": ["sodimo-egress-proxy-uplink", "sodimo-paperclip-to-egress-proxy"],
      "llama-swap": ["sodimo-litellm-to-llama-swap"],
      openwebui: [
        "sodimo-openwebui-uplink",
        "sodimo-caddy-to-openwebui",
        "sodimo-openwebui-to-litellm",
        "sodimo-openwebui-to-openwebui-db",
        "sodimo-openwebui-to-openwebui-redis",
      ],
      cockpit: ["sodimo-cockpit-uplink", "sodimo-caddy-to-cockpit"],
      "sodiwin-etl": ["sodimo-sodiwin-etl-uplink"],
      "email-drain": [],
    });
    const networks = plan.harness.units.filter((u) => u.kind === "network");
    for (const unit of networks) {
      const members = [...plan.harness.memberships].filter(([, names]) => names.includes(unit.name)).map(([name]) => name);
      const uplink = unit.name.endsWith("-uplink");
      // An edge joins its two ends, an uplink its one service; only an uplink has a route out.
      expect(members, unit.name).toHaveLength(uplink ? 1 : 2);
      expect(unit.network.Internal, unit.name).toBe(uplink ? undefined : true);
      expect(unit.network.Options, unit.name).toEqual(["isolate=true"]);
    }
    // Every subnet its own.
    const subnets = networks.map((u) => u.network.Subnet![0]!);
    expect(new Set(subnets).size).toBe(subnets.length);
    for (const subnet of subnets) expect(subnet).toMatch(/^10\.89\.[0-4]\.\d+\/29$/);
  });

  it("keeps a network's subnet when a service comes or goes", () => {
    const subnetsOf = (p: typeof plan) =>
      new Map(p.harness.units.flatMap((u) => (u.kind === "network" ? [[u.name, u.network.Subnet![0]!] as const] : [])));
    const before = subnetsOf(plan);
    const whoami: ServiceDefinition = () => ({
      name: "whoami",
      description: "HTTP echo service",
      image: "docker.io/traefik/whoami:v1.11.0",
      ports: [{ container: 80, posture: "cloudflared" }],
      route: { subdomain: "whoami", upstream: { port: 80 } },
      reaches: ["litellm"],
      restart: "always",
    });
    const after = subnetsOf(planFedora(fedoraConfig(), { definitions: [...CATALOG, whoami], hostPrograms }));
    expect([...after.keys()].filter((name) => !before.has(name)).sort()).toEqual(["sodimo-caddy-to-whoami", "sodimo-whoami-to-litellm"]);
    // Hashed slots: a newcomer moves a network only when it lands in the run of taken slots ahead of
    // it (docs/fedora.md §Networks says what that costs); most keep theirs.
    const moved = [...before].filter(([name, subnet]) => after.get(name) !== subnet);
    expect(moved.length).toBeLessThanOrEqual(3);
    expect(before.size - moved.length).toBeGreaterThan(30);
  });

  it("declares the host executables the validators must provide", () => {
    expect(plan.harness.hostExecutables).toEqual(["/usr/bin/bash", "/usr/bin/cloudflared", "/usr/bin/node", "/usr/bin/podman"]);
    for (const executable of plan.harness.hostExecutables) expect(FEDORA_HOST_EXECUTABLES).toContain(executable);
  });

  it("needs the sysctl for the lowest privileged port it publishes (SMTP)", () => {
    expect(plan.harness.requirements.lowestPrivilegedPort).toBe(25);
  });

  it("leaves the drain out while this build has no program for it", () => {
    const withoutDrain = planFedora(fedoraConfig(), { hostPrograms: {} });
    expect(withoutDrain.catalog.services.map((s) => s.name)).not.toContain("email-drain");
    expect(withoutDrain.catalog.services.map((s) => s.name)).not.toContain("piler");
  });
});

describe("the full plan on the real validators (Piler and the drain enabled)", () => {
  const plan = planFedora(fedoraConfig({ [`${P}pilerTransparencyNoticeConfirmed`]: "true" }), { hostPrograms });
  const home = mkdtempSync(path.join(os.tmpdir(), "fedora-home-"));
  beforeAll(() => {
    for (const planned of plan.harness.files) {
      mkdirSync(path.dirname(path.join(home, planned.path)), { recursive: true });
      writeFileSync(path.join(home, planned.path), planned.content);
    }
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("every unit passes the Quadlet generator and systemd-analyze verify", async (context) => {
    requireTool(context, "quadlet");
    requireTool(context, "systemd-analyze");
    const validation = await quadletValidator({
      quadletDir: path.join(home, ".config/containers/systemd"),
      plainUnitDir: path.join(home, ".config/systemd/user"),
      targetExecutables: FEDORA_HOST_EXECUTABLES,
    });
    expect(validation.results.filter((r) => r.status !== "passed")).toEqual([]);
    expect(validation.results.map((r) => path.basename(r.target))).toEqual(
      expect.arrayContaining(["email-drain.service", "piler.container", "piler-mysql.container"]),
    );
    // An edge has no route out and no traffic to other networks: Podman creates it --internal, isolated.
    expect(generatedUnitNamed(validation, "sodimo-paperclip-to-egress-proxy-network.service")?.text).toMatch(
      /^ExecStart=\/usr\/bin\/podman network create --ignore --internal --subnet 10\.89\.\d\.\d+\/29 --opt isolate=true sodimo-paperclip-to-egress-proxy$/m,
    );
    expect(generatedUnitNamed(validation, "sodimo-egress-proxy-uplink-network.service")?.text).toMatch(
      /^ExecStart=\/usr\/bin\/podman network create --ignore --subnet 10\.89\.\d\.\d+\/29 --opt isolate=true sodimo-egress-proxy-uplink$/m,
    );
    // Paperclip joins only Internal edges; the proxy its uplink first (its route out), then its edge;
    // each at its fixed address.
    const paperclip = generatedUnitNamed(validation, "paperclip.service")?.text ?? "";
    expect([...paperclip.matchAll(/ --network (\S+)/g)].map((m) => m[1]!.replace(/:ip=10\.89\.\d\.\d+$/, ""))).toEqual([
      "sodimo-caddy-to-paperclip",
      "sodimo-paperclip-to-litellm",
      "sodimo-paperclip-to-paperclip-db",
      "sodimo-paperclip-to-egress-proxy",
    ]);
    expect(generatedUnitNamed(validation, "egress-proxy.service")?.text).toMatch(
      / --network sodimo-egress-proxy-uplink:ip=10\.89\.\d\.\d+ --network sodimo-paperclip-to-egress-proxy:ip=10\.89\.\d\.\d+ /,
    );
  });

  it("Postfix's configuration (with the archive copy) passes postconf", async (context) => {
    requireTool(context, "postconf");
    expect(file(plan, "postfix/main.cf")).toContain("always_bcc = archive@archive.sodimo.eu");
    expect(await postconfValidator({ directory: path.join(home, ".config/harness/postfix") })).toMatchObject({ status: "passed" });
  });

  it("the Caddyfile (with the archive's route) validates", async (context) => {
    requireTool(context, "caddy");
    expect(file(plan, "caddy/Caddyfile")).toContain("http://archive.sodimo.eu {");
    expect(await caddyValidator({ file: path.join(home, ".config/harness/caddy/Caddyfile") })).toMatchObject({ status: "passed" });
  });

  it("the drain's sendmail passes shellcheck", async (context) => {
    requireTool(context, "shellcheck");
    expect(await shellcheckValidator({ file: path.join(home, ".local/lib/paperclip-harness/sendmail-postfix.sh") })).toMatchObject({
      status: "passed",
    });
  });
});

describe("configuration the harness refuses, before any resource exists", () => {
  it("keeps Piler off until the transparency notice is confirmed", () => {
    expect(configErrorOf(() => planFedora(fedoraConfig({ [`${P}services`]: JSON.stringify({ piler: { disabled: false } }) })))).toBe(
      [
        "stacks/Pulumi.fedora.yaml: 1 configuration problem:",
        "  - paperclip-harness:services.piler.disabled = false: piler stays off: the mail archive stays off until the employee-transparency notice is confirmed; set paperclip-harness:pilerTransparencyNoticeConfirmed to enable it",
      ].join("\n"),
    );
  });

  it("names a missing host program's API token and who needs it", () => {
    expect(configErrorOf(() => planFedora(fedoraConfig({}, [`${P}etlApiToken`])))).toBe(
      [
        "stacks/Pulumi.fedora.yaml: 1 configuration problem:",
        "  - paperclip-harness:etlApiToken: missing: Cloudflare API token of the nightly ETL (D1 write scope only). sodiwin-etl needs it. Set it with `pulumi config set --secret etlApiToken <value>`, or disable services.sodiwin-etl.",
      ].join("\n"),
    );
  });

  it("names the missing mail certificate and the services that need it", () => {
    expect(configErrorOf(() => planFedora(fedoraConfig({}, [`${P}mailTlsCertificate`])))).toBe(
      [
        "stacks/Pulumi.fedora.yaml: 1 configuration problem:",
        "  - paperclip-harness:mailTlsCertificate: missing: dovecot, postfix need it. Set it with `pulumi config set --secret mailTlsCertificate <value>`, or disable them (services.dovecot.disabled: true, services.postfix.disabled: true).",
      ].join("\n"),
    );
  });

  it("refuses overlapping network subnets", () => {
    expect(configErrorOf(() => planFedora(fedoraConfig({ [`${P}mailNetworkSubnet`]: "10.89.0.128/25" })))).toBe(
      [
        "stacks/Pulumi.fedora.yaml: 1 configuration problem:",
        '  - paperclip-harness:mailNetworkSubnet = "10.89.0.128/25": overlaps paperclip-harness:networkSubnet (10.89.0.0/24); each address block needs its own subnet',
      ].join("\n"),
    );
  });

  it("says when the address blocks hold too few networks", () => {
    const tiny = Object.fromEntries(
      ["networkSubnet", "mailNetworkSubnet", "modelsNetworkSubnet", "agentsNetworkSubnet", "egressNetworkSubnet"].map((key, i) => [
        `${P}${key}`,
        `10.89.${i}.0/27`,
      ]),
    );
    expect(configErrorOf(() => planFedora(fedoraConfig(tiny)))).toMatch(
      /^ {2}- paperclip-harness:networkSubnet = "10\.89\.0\.0\/27": address blocks with room for \d+ networks of \/29; paperclip-harness:networkSubnet \(10\.89\.0\.0\/27\), .* hold 20: widen one of them$/m,
    );
  });

  it("wants both halves of the Google OAuth client", () => {
    expect(configErrorOf(() => planFedora(fedoraConfig({ [`${P}googleOAuthClientId`]: "1234-abc.apps.googleusercontent.com" })))).toBe(
      [
        "stacks/Pulumi.fedora.yaml: 1 configuration problem:",
        "  - paperclip-harness:googleOAuthClientSecret: missing: Twenty's Google sign-in needs it together with paperclip-harness:googleOAuthClientId",
      ].join("\n"),
    );
  });

  it("says a host service has no image to override", () => {
    expect(
      configErrorOf(() =>
        planFedora(
          fedoraConfig({ [`${P}services`]: JSON.stringify({ cloudflared: { image: "docker.io/cloudflare/cloudflared:2025.1.0" } }) }),
        ),
      ),
    ).toBe(
      [
        "stacks/Pulumi.fedora.yaml: 1 configuration problem:",
        '  - paperclip-harness:services.cloudflared.image = "docker.io/cloudflare/cloudflared:2025.1.0": cloudflared runs on the host, not in a container; it has no image',
      ].join("\n"),
    );
  });

  it("wants the stack's domain among the mail domains, since Twenty and Vaultwarden send from it", () => {
    expect(configErrorOf(() => planFedora(fedoraConfig({ [`${P}mailDomains`]: JSON.stringify(["yallafood.eu"]) })))).toBe(
      [
        "stacks/Pulumi.fedora.yaml: 1 configuration problem:",
        '  - paperclip-harness:mailDomains = ["yallafood.eu"]: must include sodimo.eu: twenty and vaultwarden send from addresses of the stack\'s domain',
      ].join("\n"),
    );
  });

  it("says a service that depends on a disabled one must go too", () => {
    expect(configErrorOf(() => planFedora(fedoraConfig({ [`${P}services`]: JSON.stringify({ postfix: { disabled: true } }) })))).toBe(
      [
        "stacks/Pulumi.fedora.yaml: 4 configuration problems:",
        "  - paperclip-harness:services.postfix.disabled = true: email-drain depends on postfix; disable email-drain too, or keep postfix",
        "  - paperclip-harness:services.postfix.disabled = true: twenty-worker depends on postfix; disable twenty-worker too, or keep postfix",
        "  - paperclip-harness:services.postfix.disabled = true: twenty depends on postfix; disable twenty too, or keep postfix",
        "  - paperclip-harness:services.postfix.disabled = true: vaultwarden depends on postfix; disable vaultwarden too, or keep postfix",
      ].join("\n"),
    );
  });
});
