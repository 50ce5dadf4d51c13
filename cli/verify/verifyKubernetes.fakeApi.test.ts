/**
 * verify's Kubernetes checks against a FAKE Kubernetes API server on loopback (no API server runs
 * here). It serves the homelab stack's own objects as the plan records them, with a status added, and
 * the first-admin Job's pod log; every object it answers is validated first against the Kubernetes
 * OpenAPI shapes (kubernetes-models, and unknown fields against Kubernetes 1.36 from
 * @kubernetes/client-node; see builtInObjectProblems). The client reads a real kubeconfig file.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { kubernetesObjects, recordKubernetesStack } from "../../test/support/kubernetesObjects";
import { builtInObjectProblems } from "../validators/kubernetesValidator";
import { readKubeconfig } from "./kubeApi";
import { expectedWorkloads, type ExpectedWorkload, verifyKubernetes } from "./verifyKubernetes";

const TOKEN = "operator-token";
const INVITE = "Invite URL: https://paperclip.home.example/invite/pcp_invite_0123456789abcdef";

type ApiObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; [k: string]: unknown };
  spec?: any;
  status?: any;
};

/** Each planned object as the API server holds it once healthy. */
function healthy(manifest: ApiObject): ApiObject {
  const metadata = { ...manifest.metadata, generation: 2, uid: `uid-${manifest.metadata.name}`, resourceVersion: "42" };
  const replicas = manifest.spec?.replicas ?? 1;
  if (manifest.kind === "Job")
    return {
      ...manifest,
      metadata,
      status: {
        startTime: "2026-12-01T10:00:00Z",
        completionTime: "2026-12-01T10:02:00Z",
        succeeded: 1,
        conditions: [{ type: "Complete", status: "True", lastTransitionTime: "2026-12-01T10:02:00Z" }],
      },
    };
  return {
    ...manifest,
    metadata,
    status:
      manifest.kind === "Deployment"
        ? {
            observedGeneration: 2,
            replicas,
            readyReplicas: replicas,
            updatedReplicas: replicas,
            availableReplicas: replicas,
            conditions: [
              { type: "Available", status: "True", reason: "MinimumReplicasAvailable" },
              { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" },
            ],
          }
        : {
            observedGeneration: 2,
            replicas,
            readyReplicas: replicas,
            currentReplicas: replicas,
            currentRevision: "r1",
            updateRevision: "r1",
          },
  };
}

describe("verify against a FAKE Kubernetes API server on loopback (objects validated against the Kubernetes OpenAPI)", () => {
  let dir: string;
  let server: Server;
  let planned: ApiObject[];
  let expected: ExpectedWorkload[];
  let objects: Map<string, ApiObject>;
  let logs: Map<string, string>;
  let answer: (req: IncomingMessage, res: ServerResponse) => void;
  const fakeErrors: string[] = [];
  const methods = new Set<string>();
  const key = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

  const guarded = (req: IncomingMessage, res: ServerResponse) => {
    try {
      answer(req, res);
    } catch (error) {
      fakeErrors.push((error as Error).message);
      res.writeHead(500).end();
    }
  };

  beforeAll(async () => {
    const recording = await recordKubernetesStack("homelab");
    expected = expectedWorkloads(recording.resources);
    planned = kubernetesObjects(recording)
      .map((o) => o.manifest as ApiObject)
      .filter((m) => ["Deployment", "StatefulSet", "Job"].includes(m.kind));

    const send = (res: ServerResponse, object: ApiObject | { apiVersion: string; kind: string }) => {
      const problems = builtInObjectProblems(object);
      if (problems.length > 0) throw new Error(`the fake's ${object.kind} does not fit the Kubernetes API: ${problems.join("; ")}`);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(object));
    };
    answer = (req: IncomingMessage, res: ServerResponse) => {
      methods.add(req.method ?? "");
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401, { "content-type": "application/json" }).end(
          JSON.stringify({
            kind: "Status",
            apiVersion: "v1",
            status: "Failure",
            message: "Unauthorized",
            reason: "Unauthorized",
            code: 401,
          }),
        );
        return;
      }
      const url = new URL(req.url ?? "/", "http://fake");
      let m = /^\/apis\/(?:apps|batch)\/v1\/namespaces\/([^/]+)\/(deployments|statefulsets|jobs)\/([^/]+)$/.exec(url.pathname);
      if (m) {
        const kind = { deployments: "Deployment", statefulsets: "StatefulSet", jobs: "Job" }[m[2]!]!;
        const object = objects.get(key(kind, m[1]!, m[3]!));
        if (object) return send(res, object);
        res
          .writeHead(404, { "content-type": "application/json" })
          .end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 }));
        return;
      }
      m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname);
      if (m) {
        const job = /^job-name=(.+)$/.exec(url.searchParams.get("labelSelector") ?? "")?.[1];
        const items = [...logs.keys()]
          .filter((pod) => job !== undefined && pod.startsWith(`${m![1]}/${job}-`))
          // The items of a real list carry no apiVersion/kind; kubernetes-models' Pod requires them.
          .map((pod) => ({
            apiVersion: "v1",
            kind: "Pod",
            metadata: {
              name: pod.split("/")[1]!,
              namespace: m![1]!,
              labels: { "job-name": job! },
              creationTimestamp: "2026-12-01T10:00:00Z",
            },
          }));
        return send(res, { apiVersion: "v1", kind: "PodList", metadata: {}, items } as never);
      }
      m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname);
      if (m && logs.has(`${m[1]}/${m[2]}`)) {
        res.writeHead(200, { "content-type": "text/plain" }).end(logs.get(`${m[1]}/${m[2]}`));
        return;
      }
      res.writeHead(404).end();
    };
    server = createServer(guarded);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    dir = mkdtempSync(join(tmpdir(), "verify-kube-"));
    writeFileSync(
      join(dir, "kubeconfig"),
      [
        "apiVersion: v1",
        "kind: Config",
        "current-context: homelab",
        "clusters:",
        `- name: homelab\n  cluster:\n    server: http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        "users:",
        `- name: operator\n  user:\n    token: ${TOKEN}`,
        "contexts:",
        "- name: homelab\n  context:\n    cluster: homelab\n    user: operator",
        "",
      ].join("\n"),
    );
  }, 60_000);

  afterAll(() => {
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    objects = new Map(planned.map((m) => [key(m.kind, m.metadata.namespace, m.metadata.name), healthy(m)]));
    logs = new Map([[`paperclip-system/paperclip-bootstrap-ceo-x7k2p`, `bootstrap: Paperclip is healthy\n${INVITE}\n`]]);
  });
  afterEach(() => expect(fakeErrors).toEqual([]));

  it("reads the homelab workloads from the plan: two Deployments, the database init Job and the first-admin Job", () => {
    expect(expected).toEqual([
      { kind: "Deployment", namespace: "paperclip-system", name: "egress-proxy" },
      { kind: "Job", namespace: "paperclip-system", name: "paperclip-db-init" },
      { kind: "Deployment", namespace: "paperclip-system", name: "paperclip" },
      { kind: "Job", namespace: "paperclip-system", name: "paperclip-bootstrap-ceo", firstAdmin: true },
    ]);
  });

  it("passes when every workload is ready, and reads the invite back from the first-admin Job's log", async () => {
    const report = await verifyKubernetes(expected, readKubeconfig(join(dir, "kubeconfig")));
    expect(report).toEqual({
      drift: [],
      notes: [`first-admin Job paperclip-system/paperclip-bootstrap-ceo: printed an invite (${INVITE})`],
    });
    expect([...methods]).toEqual(["GET"]);
  });

  it("says an admin exists, or that the finished Job is gone, without calling either drift", async () => {
    logs.set(
      "paperclip-system/paperclip-bootstrap-ceo-x7k2p",
      "Instance already has an admin user\nbootstrap: Paperclip already has an admin; no invite created.\n",
    );
    expect((await verifyKubernetes(expected, readKubeconfig(join(dir, "kubeconfig")))).notes).toEqual([
      "first-admin Job paperclip-system/paperclip-bootstrap-ceo: Paperclip already has an admin",
    ]);
    objects.delete(key("Job", "paperclip-system", "paperclip-bootstrap-ceo"));
    expect(await verifyKubernetes(expected, readKubeconfig(join(dir, "kubeconfig")))).toEqual({
      drift: [],
      notes: ["first-admin Job paperclip-system/paperclip-bootstrap-ceo: gone (removed by its TTL after it finished)"],
    });
  });

  it("reports an unready Deployment, a deleted one, a failed Job and a first-admin Job without an invite, each with what to do", async () => {
    const paperclip = objects.get(key("Deployment", "paperclip-system", "paperclip"))!;
    paperclip.status = {
      observedGeneration: 2,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: 0,
      unavailableReplicas: 1,
      conditions: [
        { type: "Available", status: "False", reason: "MinimumReplicasUnavailable" },
        {
          type: "Progressing",
          status: "False",
          reason: "ProgressDeadlineExceeded",
          message: 'ReplicaSet "paperclip-5d8f" has timed out progressing.',
        },
      ],
    };
    objects.delete(key("Deployment", "paperclip-system", "egress-proxy"));
    const init = objects.get(key("Job", "paperclip-system", "paperclip-db-init"))!;
    init.status = {
      startTime: "2026-12-01T10:00:00Z",
      failed: 4,
      conditions: [
        { type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" },
      ],
    };
    logs.set("paperclip-system/paperclip-db-init-abcde", "psql: error: connection to server failed\n");
    logs.set("paperclip-system/paperclip-bootstrap-ceo-x7k2p", "bootstrap: something else\n");
    const { drift } = await verifyKubernetes(expected, readKubeconfig(join(dir, "kubeconfig")));
    expect(drift.map((d) => `${d.what}: ${d.found}`)).toEqual([
      "Deployment paperclip-system/egress-proxy: missing",
      "Job paperclip-system/paperclip-db-init: failed (BackoffLimitExceeded: Job has reached the specified backoff limit); its log ends: psql: error: connection to server failed",
      'Deployment paperclip-system/paperclip: 0 of 1 ready (ProgressDeadlineExceeded: ReplicaSet "paperclip-5d8f" has timed out progressing.)',
      "first-admin Job paperclip-system/paperclip-bootstrap-ceo: succeeded without an invite or an admin: bootstrap: something else",
    ]);
    expect(drift[2]!.fix).toBe(
      "kubectl --context homelab -n paperclip-system rollout status deployment/paperclip; kubectl --context homelab -n paperclip-system describe deployment/paperclip; kubectl --context homelab -n paperclip-system logs deployment/paperclip --tail 50",
    );
  });

  it("says so, once, when the kubeconfig's credentials are refused", async () => {
    writeFileSync(join(dir, "wrong"), readFileSync(join(dir, "kubeconfig"), "utf8").replace(TOKEN, "wrong"));
    const { drift } = await verifyKubernetes(expected, readKubeconfig(join(dir, "wrong")));
    expect(drift.map((d) => `${d.what}: ${d.found}`)).toEqual([
      "the Kubernetes API (context homelab): GET /apis/apps/v1/namespaces/paperclip-system/deployments/egress-proxy: HTTP 401 (Unauthorized)",
    ]);
  });

  it("speaks TLS with the kubeconfig's CA and client certificate, and refuses a server its CA did not sign", async () => {
    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    openssl(
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=test-ca",
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
    );
    for (const [name, subject, ext] of [
      ["server", "/CN=kube-apiserver", "subjectAltName=IP:127.0.0.1"],
      ["client", "/CN=operator", "extendedKeyUsage=clientAuth"],
    ] as const) {
      openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        subject,
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.csr`,
      );
      writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
      openssl(
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        `${name}.ext`,
        "-out",
        `${name}.crt`,
      );
    }
    const read = (file: string) => readFileSync(join(dir, file));
    // The API server requires a client certificate its CA signed (as kube-apiserver does with --client-ca-file).
    const tls = createHttpsServer(
      { key: read("server.key"), cert: read("server.crt"), ca: read("ca.crt"), requestCert: true, rejectUnauthorized: true },
      guarded,
    );
    await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
    try {
      const b64 = (file: string) => read(file).toString("base64");
      const config = (ca: string) =>
        [
          "apiVersion: v1",
          "kind: Config",
          "current-context: homelab",
          `clusters:\n- name: homelab\n  cluster:\n    server: https://127.0.0.1:${(tls.address() as AddressInfo).port}\n    certificate-authority-data: ${ca}`,
          // The fake also wants the token; the client certificate is what TLS itself demands.
          `users:\n- name: operator\n  user:\n    token: ${TOKEN}\n    client-certificate-data: ${b64("client.crt")}\n    client-key-data: ${b64("client.key")}`,
          "contexts:\n- name: homelab\n  context:\n    cluster: homelab\n    user: operator",
          "",
        ].join("\n");
      writeFileSync(join(dir, "tls"), config(b64("ca.crt")));
      expect((await verifyKubernetes(expected, readKubeconfig(join(dir, "tls")))).drift).toEqual([]);
      writeFileSync(join(dir, "tls-wrong-ca"), config(b64("client.crt")));
      const { drift } = await verifyKubernetes(expected, readKubeconfig(join(dir, "tls-wrong-ca")));
      expect(drift.map((d) => d.what)).toEqual(["the Kubernetes API (context homelab)"]);
      expect(drift[0]!.found).toMatch(/certificate/);
    } finally {
      tls.close();
    }
  });
});
