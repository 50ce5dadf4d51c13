/**
 * The Kubernetes stacks under other configurations: mistakes are ConfigErrors with exact messages;
 * the optional parts (object storage, Resend, the shell sidecar, node pinning, rotations) appear and
 * disappear as configured.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkStack } from "../cli/checkStack";
import { HOMELAB_CILIUM_NOTICE } from "../cli/egressNotice";
import { planStack } from "../cli/planStack";
import { readProjectFile, readStackSettings } from "../cli/engine/stackSettings";
import { planDocument } from "../cli/engine/planDocument";
import { recordStack } from "../cli/engine/recordStack";
import { customResourceProblems } from "../components/kubernetes/customResourceSchemas";
import { AGENT_DEFAULT_HOSTS } from "../components/egress/modelProviderHosts";
import { memoryBytes } from "../components/kubernetes/quantity";
import { ConfigError } from "../infra/config";
import { CONFIG_KEYS } from "../infra/config/keys";
import { container, envOf, type Manifest, objectNamed, objectsOfKind, P, ROOT } from "./support/kubernetesObjects";

interface Change {
  set?: Record<string, string>;
  /** Set as secrets (`pulumi config set --secret`). */
  secret?: Record<string, string>;
  remove?: string[];
}

/** Records a shipped stack with some keys set or removed (keys without namespace are the project's). */
async function record(stack: string, change: Change = {}) {
  const settings = readStackSettings(ROOT, readProjectFile(ROOT), stack);
  const qualify = (key: string) => (key.includes(":") ? key : `${P}${key}`);
  const values = { ...settings.config };
  for (const key of change.remove ?? []) delete values[qualify(key)];
  for (const [key, value] of Object.entries(change.set ?? {})) values[qualify(key)] = value;
  const secretKeys = [...settings.secretKeys];
  for (const [key, value] of Object.entries(change.secret ?? {})) {
    values[qualify(key)] = value;
    secretKeys.push(qualify(key));
  }
  return recordStack({ root: ROOT, stack, config: { values, secretKeys } });
}

async function configErrorOf(stack: string, change: Change): Promise<string> {
  try {
    await record(stack, change);
  } catch (error) {
    expect(ConfigError.isConfigError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

/** A real commit of derio-net/agent-images (its build tags images with the full SHA) and a real key. */
const SHELL_IMAGE = "ghcr.io/derio-net/paperclip-shell:3e3e5a2d1439d8fee18bc383defdadf638ccdedf";
const SAMPLE_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID6pSxYXMDbWNpIFTjCC2a6snlW8oZqeBmTFtXUDcOkJ operator@laptop";

const paperclipPod = (recording: Awaited<ReturnType<typeof record>>, kind: string) =>
  objectNamed(recording, kind, "paperclip").manifest.spec.template.spec;

describe("Kubernetes stack configuration", () => {
  it("defaults Paperclip's memory limit above what the seeds saw killed (512Mi), and refuses less than 1Gi", async () => {
    expect(memoryBytes(CONFIG_KEYS.paperclipMemoryLimit.default!)).toBeGreaterThanOrEqual(2 ** 30);
    expect(await configErrorOf("sealos", { set: { paperclipMemoryLimit: "512Mi" } })).toBe(
      [
        "stacks/Pulumi.sealos.yaml: 1 configuration problem:",
        '  - paperclip-harness:paperclipMemoryLimit = "512Mi": expected at least 1Gi: the seeds measured 512Mi OOM-killed, 2Gi to boot with the Gemini SDK, 12Gi under load',
      ].join("\n"),
    );
  });

  it("names a request above its limit, and a quantity that is not one", async () => {
    expect(await configErrorOf("homelab", { set: { paperclipMemoryRequest: "16Gi", paperclipCpuLimit: "two" } })).toBe(
      [
        "stacks/Pulumi.homelab.yaml: 1 configuration problem:",
        '  - paperclip-harness:paperclipCpuLimit = "two": expected a CPU quantity such as "250m" or "2"',
      ].join("\n"),
    );
    expect(await configErrorOf("homelab", { set: { paperclipMemoryRequest: "16Gi" } })).toBe(
      [
        "stacks/Pulumi.homelab.yaml: 1 configuration problem:",
        '  - paperclip-harness:paperclipMemoryRequest = "16Gi": expected at most paperclipMemoryLimit (12Gi): Kubernetes refuses a request above its limit',
      ].join("\n"),
    );
  });

  it("sizes Sealos's Paperclip volume in whole Gi, the only unit App Launchpad's console has", async () => {
    expect(await configErrorOf("sealos", { set: { paperclipVolumeSize: "1536Mi" } })).toBe(
      [
        "stacks/Pulumi.sealos.yaml: 1 configuration problem:",
        '  - paperclip-harness:paperclipVolumeSize = "1536Mi": expected whole Gi such as "10Gi": Sealos App Launchpad sizes volumes in Gi',
      ].join("\n"),
    );
  });

  it("requires the Sealos workspace namespace", async () => {
    expect(await configErrorOf("sealos", { set: { namespace: "paperclip" } })).toBe(
      [
        "stacks/Pulumi.sealos.yaml: 1 configuration problem:",
        '  - paperclip-harness:namespace = "paperclip": expected your Sealos workspace namespace: "ns-" and your user id, such as "ns-k3v9x2qa"',
      ].join("\n"),
    );
  });

  it("refuses a gateway URL that is not one, and keys of the other target", async () => {
    expect(await configErrorOf("homelab", { set: { gatewayBaseUrl: "litellm:4000", sealosHost: "paperclip" } })).toBe(
      [
        "stacks/Pulumi.homelab.yaml: 2 configuration problems:",
        '  - paperclip-harness:gatewayBaseUrl = "litellm:4000": expected an http(s) URL, such as "https://gateway.tail1234ab.ts.net" or "http://litellm.litellm.svc.cluster.local:4000"',
        "  - paperclip-harness:sealosHost: applies to the sealos target, not to homelab; remove it from this stack",
      ].join("\n"),
    );
  });

  it("refuses an egress mode it does not know, and with egressMode cilium what a CiliumNetworkPolicy could not honour", async () => {
    expect(await configErrorOf("homelab", { set: { egressMode: "calico" } })).toBe(
      [
        "stacks/Pulumi.homelab.yaml: 1 configuration problem:",
        '  - paperclip-harness:egressMode = "calico": expected "proxy" or "cilium"',
      ].join("\n"),
    );
    const lists = {
      egressMode: "cilium",
      egressAllowHosts: JSON.stringify(["git.internal.example", "docs.anthropic.com", ".amazonaws.com", ".paste.example"]),
      egressDenyHosts: JSON.stringify([".paste.example", "raw.githubusercontent.com"]),
    };
    expect(await configErrorOf("homelab", { set: lists })).toBe(
      [
        "stacks/Pulumi.homelab.yaml: 4 configuration problems:",
        `  - paperclip-harness:egressAllowHosts.1 = "docs.anthropic.com": a host outside the model providers' names: it admits names of Anthropic, and with egressMode cilium nothing refuses a name the allow-list admits (agents reach models only through the gateway); list the hosts you need by name`,
        `  - paperclip-harness:egressAllowHosts.2 = ".amazonaws.com": a host outside the model providers' names: it admits names of AWS Bedrock, and with egressMode cilium nothing refuses a name the allow-list admits (agents reach models only through the gateway); list the hosts you need by name`,
        '  - paperclip-harness:egressAllowHosts.3 = ".paste.example": a host not also in paperclip-harness:egressDenyHosts; keep it on one list',
        `  - paperclip-harness:egressDenyHosts.1 = "raw.githubusercontent.com": a host egressMode cilium can refuse: it lies inside .githubusercontent.com, one of the agents' default hosts, and a CiliumNetworkPolicy cannot refuse a name inside one it allows; deny all of .githubusercontent.com instead`,
      ].join("\n"),
    );
    // The same lists are the proxy's to judge in the proxy mode: its allow-list reopens docs.anthropic.com.
    const proxy = await record("homelab", {
      set: { ...lists, egressMode: "proxy", egressAllowHosts: JSON.stringify(["docs.anthropic.com"]) },
    });
    expect(objectNamed(proxy, "ConfigMap", "egress-proxy").manifest.data["squid.conf"]).toContain(
      "acl operator_allow dstdomain docs.anthropic.com",
    );
  });

  it("refuses the shell sidecar on Paperclip's own LoadBalancer address", async () => {
    const shell = JSON.stringify({ image: SHELL_IMAGE, loadBalancerIP: "192.168.55.212", authorizedKeys: [SAMPLE_KEY] });
    expect(await configErrorOf("homelab", { set: { shellSidecar: shell } })).toBe(
      [
        "stacks/Pulumi.homelab.yaml: 1 configuration problem:",
        '  - paperclip-harness:shellSidecar.loadBalancerIP = "192.168.55.212": an address other than loadBalancerIP: the shell has a LoadBalancer of its own (TCP 22, UDP 60000-60015)',
      ].join("\n"),
    );
  });

  it("refuses a shell image tag derio-net/agent-images never publishes, a key that does not parse, and a privileged port", async () => {
    // The example the stack file shipped: a short `sha-` tag (that repository tags full commit SHAs
    // and `latest` only) and a key ssh-keygen calls "not a public key file".
    const shell = JSON.stringify({
      image: "ghcr.io/derio-net/paperclip-shell:sha-4f2c1d9",
      loadBalancerIP: "192.168.55.221",
      sshPort: 22,
      authorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk3SodimoOperatorLaptopKeyExampleOnlyA0 operator@laptop"],
    });
    expect(await configErrorOf("homelab", { set: { shellSidecar: shell } })).toBe(
      [
        "stacks/Pulumi.homelab.yaml: 3 configuration problems:",
        '  - paperclip-harness:shellSidecar.image = "ghcr.io/derio-net/paperclip-shell:sha-4f2c1d9": expected a tag derio-net/agent-images publishes: the full 40-character commit SHA (or "latest"), not "sha-4f2c1d9"; or pin a digest',
        "  - paperclip-harness:shellSidecar.sshPort = 22: expected a port of 1024 or above: the shell runs as uid 1000 without capabilities",
        '  - paperclip-harness:shellSidecar.authorizedKeys.0 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk3SodimoOperatorLaptopKeyExampleOnlyA0...: expected an OpenSSH public key ("ssh-ed25519 AAAA… me@laptop", as ssh-keygen writes it): its data is not a 32-byte Ed25519 key',
      ].join("\n"),
    );
    // Another repository's tags are its own business; a digest always pins.
    const other = JSON.stringify({
      image: "registry.example/shell:sha-4f2c1d9",
      loadBalancerIP: "192.168.55.221",
      authorizedKeys: [SAMPLE_KEY],
    });
    const recording = await record("homelab", { set: { shellSidecar: other } });
    expect(container(paperclipPod(recording, "Deployment"), "paperclip-shell").image).toBe("registry.example/shell:sha-4f2c1d9");
  });

  it("refuses to rotate the master key or the chart's administrator password by token", async () => {
    const rotations = JSON.stringify({ "paperclip-secrets-master-key": "2026-11", "paperclip-db-admin-password": "2026-11" });
    expect(await configErrorOf("homelab", { set: { rotations } })).toBe(
      [
        "stacks/Pulumi.homelab.yaml: 2 configuration problems:",
        '  - paperclip-harness:rotations.paperclip-secrets-master-key = "2026-11": paperclip-secrets-master-key is protected (PAPERCLIP_SECRETS_MASTER_KEY: encrypts secrets stored in Paperclip\'s database.) and cannot be rotated by a token',
        '  - paperclip-harness:rotations.paperclip-db-admin-password = "2026-11": paperclip-db-admin-password cannot be rotated by a token: the Bitnami chart applies it only when it initialises the data directory',
      ].join("\n"),
    );
  });

  it("rotates the database password: new bytes, the database-init Job runs again and Paperclip restarts", async () => {
    const before = await record("sealos");
    const after = await record("sealos", { set: { rotations: JSON.stringify({ "paperclip-db-password": "2026-11" }) } });
    const bytes = (r: typeof before) => r.resources.find((x) => x.name === "paperclip-db-password-bytes")!.inputs.keepers;
    expect(bytes(before)).toBeUndefined();
    expect(bytes(after)).toEqual({ rotation: "2026-11" });
    const annotations = (r: typeof before, kind: string, name: string) =>
      objectNamed(r, kind, name).manifest.spec.template.metadata.annotations;
    expect(annotations(before, "Job", "paperclip-pg-init")["paperclip-harness/secret-rotations"]).toBeUndefined();
    expect(annotations(after, "Job", "paperclip-pg-init")["paperclip-harness/secret-rotations"]).toBe(
      '{"paperclip-db-password":"2026-11"}',
    );
    expect(annotations(after, "StatefulSet", "paperclip")["paperclip-harness/secret-rotations"]).toBe(
      '{"paperclip-db-password":"2026-11"}',
    );
  });
});

describe("optional parts of the Kubernetes stacks", () => {
  it("sealos with object storage: a private bucket and S3 settings expanded from Sealos's secrets", async () => {
    const recording = await record("sealos", { set: { sealosObjectStorage: "true" } });
    const bucket = objectNamed(recording, "ObjectStorageBucket", "paperclip").manifest;
    expect(bucket.spec).toEqual({ policy: "private" });
    expect(customResourceProblems(bucket)).toEqual([]);
    const env = envOf(container(paperclipPod(recording, "StatefulSet"), "paperclip"));
    const names = [...env.keys()];
    expect(env.get("PAPERCLIP_STORAGE_PROVIDER").value).toBe("s3");
    expect(env.get("PAPERCLIP_STORAGE_S3_BUCKET").valueFrom.secretKeyRef).toEqual({
      name: "object-storage-key-k3v9x2qa-paperclip",
      key: "bucket",
    });
    expect(env.get("AWS_ACCESS_KEY_ID").valueFrom.secretKeyRef).toEqual({ name: "object-storage-key", key: "accessKey" });
    expect(env.get("PAPERCLIP_STORAGE_S3_ENDPOINT").value).toBe("https://$(SEALOS_OBJECT_STORAGE_HOST)");
    expect(names.indexOf("SEALOS_OBJECT_STORAGE_HOST")).toBeLessThan(names.indexOf("PAPERCLIP_STORAGE_S3_ENDPOINT"));
    expect(env.get("PAPERCLIP_STORAGE_S3_FORCE_PATH_STYLE").value).toBe("true");
    const workload = objectNamed(recording, "StatefulSet", "paperclip");
    expect(workload.record.dependencies).toContain(recording.resources.find((r) => r.type.endsWith(":ObjectStorageBucket"))!.urn);
  });

  it("homelab with a Resend key: its ExternalSecret, referenced as optional", async () => {
    const recording = await record("homelab", { set: { resendApiKeyRemoteRef: "EMAIL_RESEND_API_KEY" } });
    const externalSecret = objectNamed(recording, "ExternalSecret", "paperclip-resend").manifest;
    expect(externalSecret.spec.data).toEqual([{ secretKey: "RESEND_API_KEY", remoteRef: { key: "EMAIL_RESEND_API_KEY" } }]);
    const env = envOf(container(paperclipPod(recording, "Deployment"), "paperclip"));
    expect(env.get("RESEND_API_KEY").valueFrom.secretKeyRef).toEqual({ name: "paperclip-resend", key: "RESEND_API_KEY", optional: true });
  });

  it("homelab on an older External Secrets: v1beta1 before 0.16.0, an error before 0.10.0", async () => {
    const recording = await record("homelab", { set: { externalSecretsVersion: "0.15.1" } });
    expect(objectsOfKind(recording, "ExternalSecret").map((o) => o.manifest.apiVersion)).toEqual(
      Array(3).fill("external-secrets.io/v1beta1"),
    );
    expect(recording.outputs.platform).toEqual({ kubernetes: "1.36", externalSecrets: "0.15.1" });
    expect(await configErrorOf("homelab", { set: { externalSecretsVersion: "0.9.20" } })).toBe(
      [
        "stacks/Pulumi.homelab.yaml: 1 configuration problem:",
        '  - paperclip-harness:externalSecretsVersion = "0.9.20": expected an External Secrets release such as "2.9.0", 0.10.0 or later (older releases lack fields this stack sets)',
      ].join("\n"),
    );
  });

  it("homelab on a stock cluster: no External Secrets, no load balancer, no Longhorn", async () => {
    const stock = {
      remove: ["externalSecretStore", "braveApiKeyRemoteRef", "loadBalancerIP", "shellSidecar", "pinToNode", "storageClassName"],
      secret: { gatewayKey: "sk-litellm-virtual-key-for-paperclip" },
    };
    const recording = await record("homelab", stock);
    expect(objectsOfKind(recording, "ExternalSecret")).toEqual([]);
    expect(recording.outputs.platform).toEqual({ kubernetes: "1.36" });
    const service = objectNamed(recording, "Service", "paperclip").manifest.spec;
    expect(service.type).toBe("ClusterIP");
    expect(service.loadBalancerIP).toBeUndefined();
    const env = envOf(container(paperclipPod(recording, "Deployment"), "paperclip"));
    // `kubectl port-forward svc/paperclip 3100`: the hostname guard always admits localhost.
    expect(env.get("PAPERCLIP_PUBLIC_URL").value).toBe("http://localhost:3100");
    // The generated auth secret reaches the server through the instance's .env (the init container).
    const configure = envOf(container(paperclipPod(recording, "Deployment"), "configure"));
    expect(configure.get("PAPERCLIP_AGENT_JWT_SECRET").valueFrom.secretKeyRef).toEqual({
      name: "paperclip-secrets",
      key: "PAPERCLIP_AGENT_JWT_SECRET",
    });
    expect(env.get("ANTHROPIC_API_KEY").valueFrom.secretKeyRef).toEqual({ name: "paperclip-gateway", key: "api-key" });
    expect(env.get("GATEWAY_API_KEY").valueFrom.secretKeyRef).toEqual({ name: "paperclip-gateway", key: "api-key" });
    expect(objectNamed(recording, "Secret", "paperclip-gateway").manifest.stringData).toBe("[secret]");
    expect(recording.secretConfigValues).toContain("sk-litellm-virtual-key-for-paperclip");
    expect(JSON.stringify(planDocument(recording))).not.toContain("sk-litellm-virtual-key-for-paperclip");
    // Without the gateway key, or with a store key but no store, it says what to set.
    expect(await configErrorOf("homelab", { remove: stock.remove })).toContain(
      "paperclip-harness:gatewayKey: missing: without externalSecretStore the gateway key comes from Pulumi config.",
    );
    expect(await configErrorOf("homelab", { ...stock, set: { braveApiKeyRemoteRef: "BRAVE" } })).toContain(
      'paperclip-harness:braveApiKeyRemoteRef = "BRAVE": is a key of the external secret store: set externalSecretStore too, or remove it',
    );
  });

  it("homelab with egressMode cilium: a CiliumNetworkPolicy admits the allowed names, no egress proxy, no proxy variables; check passes", async () => {
    const outRoot = mkdtempSync(join(tmpdir(), "k8s-cilium-"));
    try {
      const configOverrides = {
        [`${P}egressMode`]: "cilium",
        [`${P}egressAllowHosts`]: JSON.stringify(["git.internal.example"]),
        [`${P}egressDenyHosts`]: JSON.stringify(["gitlab.com"]),
      };
      const plan = await planStack(ROOT, "homelab", outRoot, { configOverrides });
      const { recording } = plan;
      const cnp = objectNamed(recording, "CiliumNetworkPolicy", "paperclip-egress-cilium").manifest;
      expect(customResourceProblems(cnp)).toEqual([]);
      expect(cnp.spec.endpointSelector).toEqual({ matchLabels: { app: "paperclip" } });
      const names = cnp.spec.egress.flatMap((rule: Manifest) => rule.toFQDNs ?? []);
      const expected = [...AGENT_DEFAULT_HOSTS.filter((h) => h !== "gitlab.com"), "git.internal.example"];
      expect(names.map((n: Manifest) => n.matchName ?? n.matchPattern).sort()).toEqual(
        expected.flatMap((h) => (h.startsWith(".") ? [h.slice(1), `**${h}`] : [h])).sort(),
      );
      // The gateway is a cluster Service: its namespace's pods on its port, as the NetworkPolicy has it.
      expect(cnp.spec.egress).toContainEqual({
        toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "litellm" } }],
        toPorts: [{ ports: [{ port: "4000", protocol: "TCP" }] }],
      });
      for (const kind of ["Deployment", "Service", "ConfigMap"]) expect(() => objectNamed(recording, kind, "egress-proxy")).toThrow();
      const np = objectNamed(recording, "NetworkPolicy", "paperclip-egress").manifest;
      expect(JSON.stringify(np.spec.egress)).not.toContain("egress-proxy");
      expect(np.spec.egress).toHaveLength(3);
      const pod = paperclipPod(recording, "Deployment");
      for (const name of ["paperclip", "paperclip-shell"]) {
        const env = envOf(container(pod, name));
        for (const variable of ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "NODE_USE_ENV_PROXY"])
          expect(env.has(variable), `${name} ${variable}`).toBe(false);
      }
      expect(recording.outputs.egressMode).toBe("cilium");

      const report = await checkStack(plan);
      expect(report.results.filter((r) => r.status === "failed")).toEqual([]);
      expect(report.results).toContainEqual(
        expect.objectContaining({
          validator: "crd-schema",
          target: expect.stringMatching(/ciliumnetworkpolicy/i),
          status: "passed",
          message: expect.stringContaining("cilium.io/v2 CiliumNetworkPolicy: against its CRD's schema, no release of it stated"),
        }),
      );
      expect(report.results).toContainEqual(
        expect.objectContaining({ validator: expect.stringMatching(/agent-runtime-behind-egress-boundary/), status: "passed" }),
      );
      expect(report.text).toContain(HOMELAB_CILIUM_NOTICE);
    } finally {
      rmSync(outRoot, { recursive: true, force: true });
    }
  }, 120_000);

  it("homelab without the shell sidecar, the node pin or Brave: one container, schedulable anywhere", async () => {
    const recording = await record("homelab", { remove: ["shellSidecar", "pinToNode", "braveApiKeyRemoteRef"] });
    const pod = paperclipPod(recording, "Deployment");
    expect(pod.containers.map((c: Manifest) => c.name)).toEqual(["paperclip"]);
    expect(pod.nodeSelector).toBeUndefined();
    expect(pod.tolerations).toBeUndefined();
    expect(
      objectsOfKind(recording, "ExternalSecret")
        .map((o) => o.manifest.metadata.name)
        .sort(),
    ).toEqual(["paperclip-auth", "paperclip-llm-key"]);
    expect(envOf(container(pod, "paperclip")).has("BRAVE_API_KEY")).toBe(false);
    expect(recording.resources.filter((r) => r.name.startsWith("paperclip-shell"))).toEqual([]);
  });
});
