/**
 * The shipped `sealos` and `homelab` stacks, recorded offline: the seeds' lessons, Principle 3, no
 * secret in the plan or the manifests, and `check` validating every object.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { MODEL_ROLE_MAP, roleMap } from "./support/paperclipRoles";
import { checkStack } from "../cli/checkStack";
import { planDocument } from "../cli/engine/planDocument";
import type { Recording } from "../cli/engine/recordStack";
import { planStack, type StackPlan } from "../cli/planStack";
import { customResourceProblems } from "../components/kubernetes/customResourceSchemas";
import { memoryBytes } from "../components/kubernetes/quantity";
import {
  allContainers,
  container,
  envOf,
  kubernetesObjects,
  type Manifest,
  objectNamed,
  objectsOfKind,
  podTemplates,
  ROOT,
} from "./support/kubernetesObjects";

const STACKS = ["sealos", "homelab"] as const;
type Stack = (typeof STACKS)[number];

/**
 * Credentials of model providers and clouds that must never reach an agent runtime (system.md §2).
 * ANTHROPIC_API_KEY is the gateway's key here (checked below: the gateway Secret, the gateway URL).
 */
const PROVIDER_KEY_NAMES = [
  "GEMINI_API_KEY",
  "GOOGLE_API_KEY",
  "OPENROUTER_API_KEY",
  "CLAUDE_CODE_OAUTH_TOKEN",
  "CLAUDE_CODE_USE_BEDROCK",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
];

const GATEWAY_URL: Record<Stack, string> = { sealos: "https://llm.sodimo.eu", homelab: "http://litellm.litellm.svc.cluster.local:4000" };
const WORKLOAD: Record<Stack, { kind: string; name: string }> = {
  sealos: { kind: "StatefulSet", name: "paperclip" },
  homelab: { kind: "Deployment", name: "paperclip" },
};

const outRoot = mkdtempSync(join(tmpdir(), "k8s-stacks-"));
const plans = {} as Record<Stack, StackPlan>;
const recordings = {} as Record<Stack, Recording>;

beforeAll(async () => {
  for (const stack of STACKS) {
    plans[stack] = await planStack(ROOT, stack, outRoot);
    recordings[stack] = plans[stack].recording;
  }
});
afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

/** The /paperclip volume: App Launchpad's name on Sealos (its console edits volumes by it). */
const DATA_VOLUME: Record<Stack, string> = { sealos: "vn-paperclip", homelab: "data" };
/** config.json's key in the app's ConfigMap: App Launchpad's name for /etc/paperclip/config.json. */
const CONFIG_JSON_KEY = "vn-etcvn-paperclipvn-configvn-json";

const workloadOf = (stack: Stack) => objectNamed(recordings[stack], WORKLOAD[stack].kind, WORKLOAD[stack].name);
const paperclipContainer = (stack: Stack) => container(workloadOf(stack).manifest.spec.template.spec, "paperclip");

describe.each(STACKS)("the %s stack", (stack) => {
  it("check renders every Kubernetes object as a manifest and validates each one", async () => {
    const plan = plans[stack];
    const objects = kubernetesObjects(plan.recording);
    const manifests = plan.artifacts.filter((a) => a.kind === "kubernetes" || a.path.includes("/helm-release-"));
    expect(manifests.map((a) => a.resource).sort()).toEqual(objects.map((o) => o.record.urn).sort());

    const report = await checkStack(plan);
    const failures = report.results.filter((r) => r.status === "failed");
    expect(failures).toEqual([]);
    const schemaResults = report.results.filter((r) => r.validator === "kubernetes-schema" || r.validator === "crd-schema");
    expect(schemaResults.map((r) => r.target).sort()).toEqual(
      plan.artifacts
        .filter((a) => a.kind === "kubernetes")
        .map((a) => a.path)
        .sort(),
    );
    expect(schemaResults.every((r) => r.status === "passed")).toBe(true);
  });

  it("runs exactly one Paperclip replica on a ReadWriteOnce volume at /paperclip, updated without two pods at once", () => {
    const workload = workloadOf(stack).manifest;
    expect(workload.spec.replicas).toBe(1);
    const pod = workload.spec.template.spec;
    expect(container(pod, "paperclip").volumeMounts).toContainEqual({ name: DATA_VOLUME[stack], mountPath: "/paperclip" });
    if (workload.kind === "StatefulSet") {
      // A StatefulSet replaces its one pod in place: the old one is gone before the new one mounts the claim.
      expect(workload.spec.volumeClaimTemplates).toEqual([
        expect.objectContaining({ metadata: expect.objectContaining({ name: DATA_VOLUME[stack] }) }),
      ]);
      expect(workload.spec.volumeClaimTemplates[0].spec.accessModes).toEqual(["ReadWriteOnce"]);
    } else {
      // RollingUpdate would start the new pod first and deadlock on Multi-Attach (the homelab seed).
      expect(workload.spec.strategy).toEqual({ type: "Recreate" });
      const claimName = pod.volumes.find((v: Manifest) => v.name === "data").persistentVolumeClaim.claimName;
      expect(objectNamed(recordings[stack], "PersistentVolumeClaim", claimName).manifest.spec.accessModes).toEqual(["ReadWriteOnce"]);
    }
  });

  it("gives the pod fsGroup 1000, so upstream's node user can write the mounted volume", () => {
    expect(workloadOf(stack).manifest.spec.template.spec.securityContext.fsGroup).toBe(1000);
  });

  it("probes Paperclip only in ways its hostname guard accepts: HTTP with Host: localhost, or TCP", () => {
    const probes = ["startupProbe", "readinessProbe", "livenessProbe"].map((p) => paperclipContainer(stack)[p]).filter(Boolean);
    expect(probes.length).toBe(3);
    for (const probe of probes) {
      if (probe.httpGet) expect(probe.httpGet.httpHeaders).toContainEqual({ name: "Host", value: "localhost" });
      else expect(probe.tcpSocket).toBeDefined();
    }
    // Every HTTP probe of every container in the stack, too.
    for (const { spec } of podTemplates(recordings[stack])) {
      for (const c of allContainers(spec)) {
        for (const p of ["startupProbe", "readinessProbe", "livenessProbe"]) {
          if (c[p]?.httpGet) expect(c[p].httpGet.httpHeaders).toContainEqual({ name: "Host", value: "localhost" });
        }
      }
    }
  });

  it("limits Paperclip's memory to at least 1Gi (512Mi was OOM-killed in the seeds)", () => {
    const limit = paperclipContainer(stack).resources.limits.memory;
    expect(memoryBytes(limit)).toBeGreaterThanOrEqual(2 ** 30);
  });

  it("creates the database (and its extensions) before Paperclip starts", () => {
    const recording = recordings[stack];
    const databaseJob = objectsOfKind(recording, "Job").find((j) => j.manifest.metadata.name.match(/-(pg|db)-init$/))!;
    expect(workloadOf(stack).record.dependencies).toContain(databaseJob.record.urn);
    const database =
      stack === "sealos" ? objectNamed(recording, "Cluster", "paperclip-pg") : objectNamed(recording, "Release", "paperclip-db");
    expect(databaseJob.record.dependencies).toContain(database.record.urn);
    const bootstrap = objectNamed(recording, "Job", "paperclip-bootstrap-ceo");
    expect(bootstrap.record.dependencies).toContain(workloadOf(stack).record.urn);
  });

  it("bounds both Jobs' retries and time, and keeps each finished Job as long as its log is useful", () => {
    const jobs = objectsOfKind(recordings[stack], "Job").map((j) => j.manifest);
    const databaseInit = jobs.find((j) => /-(pg|db)-init$/.test(j.metadata.name))!;
    const bootstrap = jobs.find((j) => j.metadata.name === "paperclip-bootstrap-ceo")!;
    expect(databaseInit.spec).toMatchObject({ backoffLimit: 3, activeDeadlineSeconds: 900, ttlSecondsAfterFinished: 24 * 3600 });
    // The first-admin log holds its invite until the weekly renewal replaces it: the Job goes then.
    expect(bootstrap.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 1800, ttlSecondsAfterFinished: 7 * 24 * 3600 });
    for (const job of [databaseInit, bootstrap]) expect(job.spec.template.spec.restartPolicy).toBe("OnFailure");
  });

  it("renews the first-admin invite weekly with the first-admin Job's own pod, keeping the newest run", () => {
    const [renewal, ...more] = objectsOfKind(recordings[stack], "CronJob").map((j) => j.manifest);
    expect(more).toEqual([]);
    const bootstrap = objectNamed(recordings[stack], "Job", "paperclip-bootstrap-ceo").manifest;
    expect(renewal.metadata.name).toBe("paperclip-bootstrap-renewal");
    // Weekly is far inside the invite's 720 hours, so a failed run or two leaves a valid invite.
    expect(renewal.spec).toMatchObject({
      schedule: "0 3 * * 1",
      concurrencyPolicy: "Forbid",
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 1,
    });
    expect(renewal.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 1800 });
    // No TTL: the newest run's log holds the current invite until the next run replaces it.
    expect(renewal.spec.jobTemplate.spec.ttlSecondsAfterFinished).toBeUndefined();
    const pod = renewal.spec.jobTemplate.spec.template;
    expect(pod.metadata.labels.app).toBe("paperclip-bootstrap-renewal");
    expect(pod.spec.containers).toEqual(bootstrap.spec.template.spec.containers);
    expect(pod.spec.volumes).toEqual(bootstrap.spec.template.spec.volumes);
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(pod.metadata.annotations).toEqual(bootstrap.spec.template.metadata.annotations);
  });

  it("assembles DATABASE_URL in the init container only, after the password variable it expands (agents inherit the server's)", () => {
    const configure = container(workloadOf(stack).manifest.spec.template.spec, "configure");
    const env = [...envOf(configure).keys()];
    const url = envOf(configure).get("DATABASE_URL");
    expect(url.value).toMatch(
      /^postgres:\/\/paperclip:\$\(PG_PASSWORD\)@paperclip-(pg|db)-postgresql\.[a-z0-9-]+\.svc\.cluster\.local:5432\/paperclip$/,
    );
    expect(env.indexOf("PG_PASSWORD")).toBeLessThan(env.indexOf("DATABASE_URL"));
    expect(envOf(configure).get("PG_PASSWORD").valueFrom.secretKeyRef).toBeDefined();
    expect(envOf(paperclipContainer(stack)).has("DATABASE_URL")).toBe(false);
    expect(envOf(paperclipContainer(stack)).has("PG_PASSWORD")).toBe(false);
  });

  it("delivers every secret role of the Paperclip model as the model's variables (test/paperclipRoles.test.ts)", () => {
    const pod = workloadOf(stack).manifest.spec.template.spec;
    const fromSecrets = (c: unknown) => [...envOf(c).entries()].filter(([, v]) => v.valueFrom?.secretKeyRef).map(([name]) => name);
    const delivered = [...fromSecrets(paperclipContainer(stack)), ...fromSecrets(container(pod, "configure"))];
    expect(roleMap(delivered)).toEqual(MODEL_ROLE_MAP);
  });

  it("writes config.json and the agent JWT secret in an init step, the JWT secret only there", () => {
    const pod = workloadOf(stack).manifest.spec.template.spec;
    const configure = container(pod, "configure");
    expect(envOf(configure).get("PAPERCLIP_AGENT_JWT_SECRET").valueFrom.secretKeyRef).toBeDefined();
    expect(envOf(paperclipContainer(stack)).has("PAPERCLIP_AGENT_JWT_SECRET")).toBe(false);
    const config = JSON.parse(objectNamed(recordings[stack], "ConfigMap", "paperclip").manifest.data[CONFIG_JSON_KEY]);
    expect(config.$meta.version).toBe(1);
    expect(config.server.deploymentMode).toBe("authenticated");
    // The init container sets the connection string in the volume's copy: none (no password) in the ConfigMap.
    expect(config.database).toMatchObject({ mode: "postgres" });
    expect(config.database).not.toHaveProperty("connectionString");
  });

  it("gives agents the gateway's URLs and key, and no provider key (Principle 3)", () => {
    for (const { spec } of podTemplates(recordings[stack])) {
      for (const c of allContainers(spec)) {
        for (const name of envOf(c).keys()) expect(PROVIDER_KEY_NAMES).not.toContain(name);
        expect(c.envFrom).toBeUndefined();
      }
    }
    const env = envOf(paperclipContainer(stack));
    expect(env.get("ANTHROPIC_BASE_URL").value).toBe(GATEWAY_URL[stack]);
    expect(env.get("OPENAI_BASE_URL").value).toBe(GATEWAY_URL[stack]);
    const gatewayKey = env.get("ANTHROPIC_API_KEY").valueFrom.secretKeyRef;
    expect(env.get("GATEWAY_API_KEY").valueFrom.secretKeyRef).toEqual(gatewayKey);
    // The server would send OPENAI_API_KEY to api.openai.com to list codex models.
    expect(env.has("OPENAI_API_KEY")).toBe(false);
    expect(env.has("ANTHROPIC_AUTH_TOKEN")).toBe(false);
    expect(gatewayKey.name).toBe(stack === "sealos" ? "paperclip-gateway" : "paperclip-llm-key");
  });

  it("gives Paperclip's pod no cluster credentials and no injected service variables", () => {
    for (const { spec } of podTemplates(recordings[stack])) {
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(spec.enableServiceLinks).toBe(false);
      for (const c of allContainers(spec)) {
        expect(c.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
        expect(c.resources.limits.memory).toBeDefined();
      }
    }
  });

  it("never puts a secret value in an env value, the plan, a manifest or the outputs", () => {
    const recording = recordings[stack];
    for (const o of kubernetesObjects(recording)) {
      // Secret values are only ever Secret data: any other secret input would be in the manifest as "[secret]".
      if (o.manifest.kind !== "Secret") expect(JSON.stringify(o.manifest)).not.toContain("[secret]");
    }
    const secrets = [...recording.producedSecrets, ...recording.secretConfigValues];
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    const published = [JSON.stringify(planDocument(recording)), ...plans[stack].artifacts.map((a) => a.content)].join("\n");
    for (const secret of secrets) expect(published).not.toContain(secret);
    // A Secret's data is secret as a whole; its manifest keeps the keys and masks every value.
    for (const secret of objectsOfKind(recording, "Secret")) expect(secret.manifest.stringData).toBe("[secret]");
    const secretManifests = plans[stack].artifacts.filter((a) => a.kind === "kubernetes" && a.path.includes("/secret-"));
    expect(secretManifests.length).toBe(objectsOfKind(recording, "Secret").length);
    for (const artifact of secretManifests) {
      const values = Object.values(parseYaml(artifact.content).stringData);
      expect(values.length).toBeGreaterThan(0);
      expect(values.every((v) => v === "[secret]")).toBe(true);
    }
  });

  it("declares custom resources that match their documented schemas", () => {
    const customResources = kubernetesObjects(recordings[stack]).filter(
      (o) => o.record.type.includes(".") && !o.record.type.includes("k8s.io") && o.manifest.kind,
    );
    expect(customResources.length).toBeGreaterThan(0);
    for (const cr of customResources) expect(customResourceProblems(cr.manifest)).toEqual([]);
  });
});

describe("the sealos stack", () => {
  const recording = () => recordings.sealos;

  it("provisions PostgreSQL 16.4.0 with KubeBlocks, with the service account, role and binding it runs as", () => {
    const cluster = objectNamed(recording(), "Cluster", "paperclip-pg").manifest;
    expect(cluster.apiVersion).toBe("apps.kubeblocks.io/v1alpha1");
    expect(cluster.spec.clusterVersionRef).toBe("postgresql-16.4.0");
    expect(cluster.metadata.labels["sealos-db-provider-cr"]).toBe("paperclip-pg");
    const component = cluster.spec.componentSpecs[0];
    expect(component.serviceAccountName).toBe("paperclip-pg");
    expect(objectNamed(recording(), "RoleBinding", "paperclip-pg").manifest.subjects).toEqual([
      { kind: "ServiceAccount", name: "paperclip-pg", namespace: "ns-k3v9x2qa" },
    ]);
    objectNamed(recording(), "ServiceAccount", "paperclip-pg");
    objectNamed(recording(), "Role", "paperclip-pg");
  });

  it("publishes https://<host>.<cloud domain> with Sealos's certificate and an App entry", () => {
    const ingress = objectNamed(recording(), "Ingress", "paperclip").manifest;
    expect(ingress.spec.rules[0].host).toBe("paperclip-sodimo.usw.sealos.io");
    expect(ingress.spec.tls).toEqual([{ hosts: ["paperclip-sodimo.usw.sealos.io"], secretName: "wildcard-cert" }]);
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: "paperclip", port: { number: 3100 } });
    expect(objectNamed(recording(), "App", "paperclip").manifest.spec.data.url).toBe("https://paperclip-sodimo.usw.sealos.io");
    const env = envOf(paperclipContainer("sealos"));
    expect(env.get("PAPERCLIP_PUBLIC_URL").value).toBe("https://paperclip-sodimo.usw.sealos.io");
    expect(env.get("PAPERCLIP_DEPLOYMENT_EXPOSURE").value).toBe("public");
  });

  it("sets the buffer annotations every Sealos template's Ingress has (large cookies and headers get 400/502 without them)", () => {
    const annotations = objectNamed(recording(), "Ingress", "paperclip").manifest.metadata.annotations;
    expect(annotations["nginx.ingress.kubernetes.io/server-snippet"]).toBe(
      "client_header_buffer_size 64k;\nlarge_client_header_buffers 4 128k;\n",
    );
    expect(annotations["nginx.ingress.kubernetes.io/client-body-buffer-size"]).toBe("64k");
    expect(annotations["nginx.ingress.kubernetes.io/proxy-buffer-size"]).toBe("64k");
  });

  it("names the volume, the ConfigMap and its files as App Launchpad does, so the Sealos console can edit them", () => {
    const statefulSet = workloadOf("sealos").manifest;
    expect(statefulSet.metadata.labels).toMatchObject({ app: "paperclip", "cloud.sealos.io/app-deploy-manager": "paperclip" });
    expect(statefulSet.metadata.annotations["deploy.cloud.sealos.io/resize"]).toBe("10Gi");
    expect(statefulSet.spec.volumeClaimTemplates[0].metadata).toMatchObject({
      name: "vn-paperclip",
      annotations: { path: "/paperclip", value: "10" },
    });
    const configMap = objectNamed(recording(), "ConfigMap", "paperclip").manifest;
    expect(configMap.metadata.labels).toMatchObject({ app: "paperclip", "cloud.sealos.io/app-deploy-manager": "paperclip" });
    expect(Object.keys(configMap.data).sort()).toEqual([
      "vn-etcvn-claude-codevn-managed-settingsvn-json",
      "vn-etcvn-paperclipvn-bootstrap-adminvn-sh",
      "vn-etcvn-paperclipvn-configure-instancevn-sh",
      CONFIG_JSON_KEY,
    ]);
    // Each file: a volume named by its key with one item at the relative mount path, mounted by subPath in the first container.
    const pod = statefulSet.spec.template.spec;
    expect(pod.containers[0].name).toBe("paperclip");
    expect(pod.volumes).toContainEqual({
      name: CONFIG_JSON_KEY,
      configMap: { name: "paperclip", items: [{ key: CONFIG_JSON_KEY, path: "./etc/paperclip/config.json" }], defaultMode: 0o644 },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: CONFIG_JSON_KEY,
      mountPath: "/etc/paperclip/config.json",
      subPath: "./etc/paperclip/config.json",
      readOnly: true,
    });
    // A component's ConfigMap is named and labelled like the component.
    expect(objectNamed(recording(), "ConfigMap", "paperclip-pg-init").manifest.metadata.labels.app).toBe("paperclip-pg-init");
  });

  it("pulls its helper image from ECR Public's Docker library, not from Docker Hub (rate-limited on shared nodes)", () => {
    const init = objectNamed(recording(), "Job", "paperclip-pg-init").manifest;
    expect(init.spec.template.spec.containers[0].image).toBe("public.ecr.aws/docker/library/postgres:16.4-alpine");
  });

  it("states the KubeBlocks and Sealos releases it renders for, and check validates against them", () => {
    expect(recording().outputs.platform).toEqual({ kubernetes: "1.36", kubeBlocks: "0.9.3", sealos: "5.1.1" });
  });

  it("keeps storage on the volume when object storage is off: no bucket, no storage credentials", () => {
    expect(objectsOfKind(recording(), "ObjectStorageBucket")).toEqual([]);
    expect(envOf(paperclipContainer("sealos")).has("PAPERCLIP_STORAGE_PROVIDER")).toBe(false);
  });
});

describe("the homelab stack", () => {
  const recording = () => recordings.homelab;

  it("puts Paperclip's pod behind the egress boundary: a NetworkPolicy, the proxy in the namespace, the proxy variables", () => {
    const policy = objectNamed(recording(), "NetworkPolicy", "paperclip-egress").manifest;
    expect(policy.spec.podSelector).toEqual({ matchLabels: { app: "paperclip" } });
    expect(policy.spec.policyTypes).toEqual(["Egress"]);
    const peers = policy.spec.egress.map((rule: { to: unknown[]; ports: { port: number }[] }) => [rule.to, rule.ports.map((p) => p.port)]);
    expect(peers).toEqual([
      [
        [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
          },
        ],
        [53, 53],
      ],
      [[{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "litellm" } } }], [4000]],
      [[{ podSelector: { matchLabels: { app: "egress-proxy" } } }], [3128]],
      [
        [{ podSelector: { matchLabels: { "app.kubernetes.io/instance": "paperclip-db", "app.kubernetes.io/name": "postgresql" } } }],
        [5432],
      ],
    ]);
    const proxy = objectNamed(recording(), "Deployment", "egress-proxy").manifest;
    expect(proxy.spec.template.metadata.labels).toEqual({ app: "egress-proxy" });
    expect(objectNamed(recording(), "ConfigMap", "egress-proxy").manifest.data["squid.conf"]).toContain("http_access deny model_providers");
    for (const name of ["paperclip", "paperclip-shell"]) {
      const env = envOf(container(workloadOf("homelab").manifest.spec.template.spec, name));
      expect(env.get("HTTPS_PROXY").value, name).toBe("http://egress-proxy:3128");
      expect(env.get("NO_PROXY").value, name).toContain("litellm.litellm.svc.cluster.local");
    }
  });

  it("lives in paperclip-system, behind a LoadBalancer at the seed's fixed address", () => {
    objectNamed(recording(), "Namespace", "paperclip-system");
    const service = objectNamed(recording(), "Service", "paperclip").manifest;
    expect(service.metadata.namespace).toBe("paperclip-system");
    expect(service.spec).toMatchObject({ type: "LoadBalancer", loadBalancerIP: "192.168.55.212" });
    expect(envOf(paperclipContainer("homelab")).get("PAPERCLIP_ALLOWED_HOSTNAMES").value).toBe("192.168.55.212");
  });

  it("installs Bitnami PostgreSQL from the chart with every image on mirror.gcr.io/bitnamilegacy, metrics included", () => {
    const release = objectNamed(recording(), "Release", "paperclip-db").manifest;
    expect(release.chart).toBe("oci://registry-1.docker.io/bitnamicharts/postgresql");
    expect(release.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(release.values.metrics.enabled).toBe(true);
    const images = [release.values.image, release.values.metrics.image, release.values.volumePermissions.image];
    for (const image of images) {
      expect(image.registry).toBe("mirror.gcr.io");
      expect(image.repository).toMatch(/^bitnamilegacy\//);
      expect(image.tag).toMatch(/^\d/);
    }
    expect(release.values.auth.existingSecret).toBe("paperclip-db-credentials");
    // The tags chart 14.2.0 itself ships (bitnami/charts, postgresql/14.2.0), not an earlier chart's.
    expect(release.version).toBe("14.2.0");
    expect(images.map((image) => `${image.repository}:${image.tag}`)).toEqual([
      "bitnamilegacy/postgresql:16.2.0-debian-11-r17",
      "bitnamilegacy/postgres-exporter:0.15.0-debian-11-r26",
      "bitnamilegacy/os-shell:11-debian-11-r112",
    ]);
  });

  it("reads the operator's credentials from ExternalSecrets, the optional features' references marked optional", () => {
    const externalSecrets = objectsOfKind(recording(), "ExternalSecret").map((o) => o.manifest);
    expect(externalSecrets.map((e) => e.metadata.name).sort()).toEqual(["paperclip-auth", "paperclip-brave", "paperclip-llm-key"]);
    for (const e of externalSecrets) expect(e.spec.secretStoreRef).toEqual({ kind: "ClusterSecretStore", name: "infisical" });
    // External Secrets serves only v1 from 0.17.0 (v1beta1 is `served: false`): the stated release decides.
    expect(recording().outputs.platform).toEqual({ kubernetes: "1.36", externalSecrets: "2.9.0" });
    for (const e of externalSecrets) expect(e.apiVersion).toBe("external-secrets.io/v1");
    const env = envOf(paperclipContainer("homelab"));
    expect(env.get("BRAVE_API_KEY").valueFrom.secretKeyRef).toEqual({ name: "paperclip-brave", key: "BRAVE_API_KEY", optional: true });
    // The auth secret reaches the server through the instance's .env, which the init container writes.
    const configure = container(workloadOf("homelab").manifest.spec.template.spec, "configure");
    expect(envOf(configure).get("PAPERCLIP_AGENT_JWT_SECRET").valueFrom.secretKeyRef).toEqual({
      name: "paperclip-auth",
      key: "PAPERCLIP_AGENT_JWT_SECRET",
    });
    expect(env.has("BETTER_AUTH_SECRET")).toBe(false);
    expect(env.has("RESEND_API_KEY")).toBe(false);
  });

  it("pins Paperclip to gpu-1 with the defensive nvidia.com/gpu:NoSchedule toleration", () => {
    const pod = workloadOf("homelab").manifest.spec.template.spec;
    expect(pod.nodeSelector).toEqual({ "kubernetes.io/hostname": "gpu-1" });
    expect(pod.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    expect(paperclipContainer("homelab").resources).toEqual({
      requests: { cpu: "250m", memory: "512Mi" },
      limits: { cpu: "1", memory: "12Gi" },
    });
  });

  it("runs the operator's shell as a sidecar sharing /paperclip, with its own home, inventory and LoadBalancer", () => {
    const pod = workloadOf("homelab").manifest.spec.template.spec;
    const shell = container(pod, "paperclip-shell");
    expect(shell.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: "data", mountPath: "/paperclip" },
        { name: "shell-home", mountPath: "/home/agent" },
        { name: "shell-inventory", mountPath: "/etc/paperclip-shell", readOnly: true },
      ]),
    );
    // Agents run in the operator's terminal too: the gateway's URLs and key and the egress proxy's
    // variables, none of Paperclip's own credentials; and it cannot make Paperclip's pod unready.
    expect((shell.env ?? []).map((e: { name: string }) => e.name).sort()).toEqual([
      "ANTHROPIC_AUTH_TOKEN",
      "ANTHROPIC_BASE_URL",
      "HTTPS_PROXY",
      "HTTP_PROXY",
      "NODE_USE_ENV_PROXY",
      "NO_PROXY",
      "OPENAI_API_KEY",
      "OPENAI_BASE_URL",
      "http_proxy",
      "https_proxy",
      "no_proxy",
    ]);
    expect(shell.readinessProbe).toBeUndefined();
    expect(objectNamed(recording(), "PersistentVolumeClaim", "paperclip-shell-home").manifest.spec.accessModes).toEqual(["ReadWriteOnce"]);
    expect(objectNamed(recording(), "ConfigMap", "paperclip-shell-inventory").manifest.data["inventory.yaml"]).toContain("python@3.12");
    const service = objectNamed(recording(), "Service", "paperclip-shell").manifest.spec;
    expect(service.loadBalancerIP).toBe("192.168.55.221");
    const ports = service.ports.map((p: Manifest) => `${p.protocol}/${p.port}`);
    expect(ports).toEqual(["TCP/22", ...Array.from({ length: 16 }, (_, i) => `UDP/${60000 + i}`)]);
    // agent-shell-base runs sshd on 2222 (non-root): the Service's 22 goes to the container's 2222.
    expect(shell.ports[0]).toEqual({ name: "ssh", containerPort: 2222, protocol: "TCP" });
    expect(service.ports[0]).toMatchObject({ name: "ssh", port: 22, targetPort: "ssh" });
    // The image's tag is one its repository publishes: the full commit SHA.
    expect(shell.image).toMatch(/^ghcr\.io\/derio-net\/paperclip-shell:[0-9a-f]{40}$/);
  });
});
