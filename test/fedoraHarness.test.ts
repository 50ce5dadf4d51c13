/**
 * Properties of the whole `fedora` stack, proven on what the program registers (the real program,
 * recorded offline) and on the files it would write to the host.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { PAPERCLIP_IMAGE, PAPERCLIP_RELEASE } from "../components/paperclip/paperclipRelease";
import { FEDORA_HOST_EXECUTABLES } from "../cli/checkStack";
import { planDocument } from "../cli/engine/planDocument";
import { join } from "node:path";
import { catalogEntryFiles } from "../cli/catalogIndex";
import {
  containerServiceNames,
  containers,
  type FedoraRecording,
  fedoraServices,
  hostFile,
  P,
  quadlet,
  ROOT,
  recordFedora,
  stringsIn,
  unitValues,
} from "./support/fedoraStack";

/** Cloud keys with recognisable values, so the scan cannot mistake them. */
const ANTHROPIC_KEY = "sk-ant-api03-test-marker-anthropic-0123456789";
const OPENAI_KEY = "sk-proj-test-marker-openai-0123456789";

/** The mail services whose ports are opened to the internet, and those ports. */
const DIRECT_PORTS: Record<string, number[]> = { postfix: [25, 587, 465], dovecot: [143, 993] };

/** The recording's settings: Piler's gate open, cloud keys with markers. */
const CONFIG = {
  [`${P}pilerTransparencyNoticeConfirmed`]: "true",
  [`${P}anthropicApiKey`]: ANTHROPIC_KEY,
  [`${P}openaiApiKey`]: OPENAI_KEY,
};

let stack: FedoraRecording;
let units: Map<string, string>;

beforeAll(async () => {
  stack = await recordFedora(CONFIG);
  units = containers(stack.artifacts);
});

const networksOf = (name: string) => new Set(unitValues(units.get(name)!, "Network").map((n) => n.split(":")[0]!));
const sharesNetwork = (a: string, b: string) => [...networksOf(a)].some((n) => networksOf(b).has(n));

describe("the fedora stack", () => {
  it("deploys every service of system.md §4", () => {
    // The catalogue as this stack resolves it (every gate open): each entry that runs in a container has
    // its unit, and nothing else has one.
    const services = fedoraServices(CONFIG);
    expect(services.map((s) => s.name).sort()).toEqual(
      catalogEntryFiles(join(ROOT, "infra", "catalog"))
        .map((entry) => entry.module)
        .sort(),
    );
    expect([...units.keys()].sort()).toEqual(containerServiceNames(services).sort());
    expect(units.size).toBeGreaterThan(20);
    expect(hostFile(stack.artifacts, ".config/systemd/user/cloudflared.service")).toContain(
      "ExecStart=/usr/bin/cloudflared tunnel --no-autoupdate run",
    );
    expect(hostFile(stack.artifacts, ".config/systemd/user/sodiwin-etl.timer")).toContain("OnCalendar=*-*-* 03:00:00 Europe/Paris");
  });

  it("publishes every port on 127.0.0.1, except the declared mail ports", () => {
    const published = [...units].flatMap(([name, unit]) => unitValues(unit, "PublishPort").map((spec) => ({ name, spec })));
    // On loopback only where something on the host needs it: cloudflared's way to Caddy, and the
    // gateway for the fly target's tailnet route (docs/fly.md). Web UIs only through Caddy.
    expect(published.filter(({ spec }) => spec.startsWith("127.0.0.1:")).map(({ name, spec }) => `${name} ${spec}`)).toEqual([
      "caddy 127.0.0.1:80:80",
      "litellm 127.0.0.1:4000:4000",
    ]);
    const direct = published.filter(({ spec }) => !spec.startsWith("127.0.0.1:"));
    expect(direct.map(({ name, spec }) => `${name} ${spec}`).sort()).toEqual(
      Object.entries(DIRECT_PORTS)
        .flatMap(([name, ports]) => ports.map((port) => `${name} ${port}:${port}`))
        .sort(),
    );
  });

  it("keeps Paperclip, the agent runtime, off Postfix's network and out of mail settings", () => {
    expect(sharesNetwork("paperclip", "postfix")).toBe(false);
    // Postfix's only neighbours are the mail system and the services that submit mail as people do.
    const neighbours = [...units.keys()].filter((name) => name !== "postfix" && sharesNetwork(name, "postfix"));
    expect(neighbours.sort()).toEqual(["dovecot", "piler", "rspamd", "twenty", "twenty-worker", "vaultwarden"]);
    const paperclip = units.get("paperclip")!;
    const variables = [...unitValues(paperclip, "Environment"), ...unitValues(paperclip, "Secret")].join("\n");
    expect(variables).not.toMatch(/SMTP|SENDMAIL|MAIL_/i);
    // Nor can it drive Podman (and so `podman exec postfix sendmail`): only Cockpit gets the socket.
    const socketHolders = [...units].filter(([, unit]) => unit.includes("podman.sock")).map(([name]) => name);
    expect(socketHolders).toEqual(["cockpit"]);
  });

  it("lets nothing but LiteLLM reach llama-swap", () => {
    const neighbours = [...units.keys()].filter((name) => name !== "llama-swap" && sharesNetwork(name, "llama-swap"));
    expect(neighbours).toEqual(["litellm"]);
    expect(unitValues(units.get("openwebui")!, "Environment")).toContain("OPENAI_API_BASE_URL=http://litellm:4000");
  });

  it("gives the cloud provider keys to LiteLLM's secrets and nothing else", () => {
    const holders = (key: string) =>
      stack.recording.resources.filter((r) => stringsIn(r.inputs).some((s) => s.includes(key))).map((r) => r.name);
    expect(holders(ANTHROPIC_KEY)).toEqual(["harness-secret-litellm-anthropic-api-key"]);
    expect(holders(OPENAI_KEY)).toEqual(["harness-secret-litellm-openai-api-key"]);
    const litellmYaml = hostFile(stack.artifacts, ".config/harness/litellm/litellm.yaml");
    expect(litellmYaml).toContain("api_key: os.environ/ANTHROPIC_API_KEY");
    // Paperclip's model credential is the gateway's key, never a provider's.
    // Not OPENAI_API_KEY: the server sends it to api.openai.com to list codex models.
    expect(unitValues(units.get("paperclip")!, "Secret").filter((s) => /API_KEY|AUTH_TOKEN/.test(s))).toEqual([
      "paperclip-anthropic-api-key,type=env,target=ANTHROPIC_API_KEY",
      "paperclip-gateway-api-key,type=env,target=GATEWAY_API_KEY",
    ]);
  });

  it("gives the gateway's master key to LiteLLM and the key registration only; Paperclip and OpenWebUI hold registered virtual keys", () => {
    const valueOf = (name: string) => {
      const values = stringsIn(stack.recording.resources.find((r) => r.name === name)!.inputs.stdin);
      expect(values, name).toHaveLength(1);
      return values[0]!;
    };
    const holders = (value: string) =>
      stack.recording.resources.filter((r) => stringsIn(r.inputs).some((s) => s.includes(value))).map((r) => r.name);
    const master = valueOf("harness-secret-litellm-litellm-master-key");
    expect(holders(master).sort()).toEqual(["harness-secret-litellm-keys-environment", "harness-secret-litellm-litellm-master-key"]);
    const agents = valueOf("harness-secret-paperclip-anthropic-api-key");
    const chat = valueOf("harness-secret-openwebui-openai-api-key");
    expect(new Set([master, agents, chat]).size).toBe(3);
    expect(valueOf("harness-secret-paperclip-gateway-api-key")).toBe(agents);
    expect(valueOf("harness-secret-openwebui-rag-openai-api-key")).toBe(chat);
    // Both are registered by litellm-keys, which runs once LiteLLM is healthy and before its clients.
    const environment = valueOf("harness-secret-litellm-keys-environment");
    expect(environment).toContain(`PAPERCLIP_GATEWAY_KEY="${agents}"`);
    expect(environment).toContain(`OPENWEBUI_GATEWAY_KEY="${chat}"`);
    const registration = hostFile(stack.artifacts, ".config/systemd/user/litellm-keys.service");
    for (const line of ["Type=oneshot", "RemainAfterExit=true", "After=litellm.service"]) expect(registration).toContain(line);
    expect(unitValues(units.get("openwebui")!, "After")[0]).toContain("litellm-keys.service");
    const plan = JSON.parse(hostFile(stack.artifacts, ".local/lib/paperclip-harness/litellm-keys.json")) as {
      keys: { alias: string; limits: Record<string, unknown> }[];
    };
    expect(plan.keys.map((k) => k.alias)).toEqual(["paperclip-agents", "openwebui"]);
    expect(plan.keys[0]!.limits.maxBudget).toBeGreaterThan(0);
  });

  it("never writes a secret into a plan, a unit or any other artifact", () => {
    const secrets = [...stack.recording.producedSecrets, ...stack.recording.secretConfigValues];
    expect(secrets.length).toBeGreaterThan(40);
    const texts = [JSON.stringify(planDocument(stack.recording)), ...stack.artifacts.map((a) => a.content)];
    // Reports which secret (by position), never its value.
    const leaked = secrets.flatMap((secret, i) => (texts.some((text) => text.includes(secret)) ? [`secret #${i}`] : []));
    expect(leaked).toEqual([]);
    // Every secret reaches the host on stdin, as a secret.
    const deliveries = stack.recording.resources.filter((r) => r.name.startsWith("harness-secret-"));
    expect(deliveries.length).toBeGreaterThan(50);
    for (const delivery of deliveries) expect(JSON.stringify(delivery.inputs.stdin), delivery.name).toContain(`"value"`);
    // A host service's secrets go to a file only its user can read, written like any other file.
    const tunnel = stack.recording.resources.find((r) => r.name === "harness-secret-cloudflared-environment")!;
    expect(tunnel.inputs.create).toMatch(/^# harness:file \.config\/harness\/secrets\/cloudflared\.env\n[\s\S]*chmod 0600 "\$tmp"/);
    expect(stack.artifacts.some((a) => a.path.includes("/secrets/"))).toBe(false);
  });

  it("makes the target want every service; each unit orders itself after its own dependencies only", () => {
    const target = hostFile(stack.artifacts, ".config/systemd/user/sodimo.target");
    const wanted = unitValues(target, "Wants")[0]!.split(" ");
    expect(wanted).toContain("paperclip.service");
    expect(wanted).toContain("sodiwin-etl.timer");
    expect(wanted).toContain("cloudflared.service");
    expect(wanted).not.toContain("sodiwin-etl.service");
    // litellm-keys: the agents' virtual key is registered before Paperclip starts.
    expect(unitValues(units.get("paperclip")!, "After")).toEqual(["paperclip-db.service litellm.service litellm-keys.service"]);
    // ... and wants its first-admin task, which orders itself after it (it runs on every start).
    expect(unitValues(units.get("paperclip")!, "Wants")).toEqual([
      "paperclip-db.service litellm.service litellm-keys.service paperclip-first-admin.service paperclip-first-admin.timer",
    ]);
    // The weekly renewal of the first admin's invite (it expires after 30 days; a host may not restart for longer).
    const renewal = hostFile(stack.artifacts, ".config/systemd/user/paperclip-first-admin.timer");
    expect(unitValues(renewal, "OnCalendar")).toEqual(["Mon *-*-* 03:00:00"]);
    expect(unitValues(renewal, "Unit")).toEqual(["paperclip-first-admin.service"]);
    // Wants, never Requires: restarting a dependency must not restart its dependents.
    for (const [name, unit] of units) expect(unitValues(unit, "Requires"), name).toEqual([]);
  });

  it("builds Paperclip's image on the host and runs it from the build unit", () => {
    expect(unitValues(units.get("paperclip")!, "Image")).toEqual(["paperclip.build"]);
    expect(unitValues(quadlet(stack.artifacts, "paperclip.build"), "ImageTag")).toEqual([
      `localhost/paperclip:v${PAPERCLIP_RELEASE.version}-pi0.73.1`,
    ]);
    expect(hostFile(stack.artifacts, ".config/harness/paperclip/Containerfile")).toContain(`FROM ${PAPERCLIP_IMAGE}\n`);
  });

  it("gives llama-swap the GPU devices and the video group only, Cockpit privilege and the host PID namespace", () => {
    const llamaSwap = units.get("llama-swap")!;
    expect(unitValues(llamaSwap, "AddDevice")).toEqual(["/dev/dri", "/dev/kfd"]);
    expect(unitValues(llamaSwap, "GroupAdd")).toEqual(["video"]);
    expect(unitValues(llamaSwap, "Volume")).toContain("%h/.local/share/llama-models:/models:ro,z");
    expect(unitValues(units.get("cockpit")!, "PodmanArgs")).toEqual(["--privileged", "--pid=host"]);
  });

  it("runs only executables the validators know the host provides", () => {
    const plainServices = stack.artifacts.filter((a) => a.path.startsWith("host/.config/systemd/user/") && a.path.endsWith(".service"));
    expect(plainServices.length).toBeGreaterThan(0);
    for (const unit of plainServices) {
      for (const exec of unitValues(unit.content, "ExecStart")) expect(FEDORA_HOST_EXECUTABLES).toContain(exec.split(" ")[0]);
    }
  });
});
