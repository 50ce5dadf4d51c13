/**
 * The pack as the Pulumi CLI runs it: `pulumi preview --policy-pack policy` starts
 * `@pulumi/pulumi/cmd/run-policy-pack` in this directory (ts-node, type-checked, policy/tsconfig.json),
 * reads the port it prints, and speaks the Analyzer gRPC protocol to it. This test does the same over
 * loopback: the pack loads, describes every policy with its config schema, accepts configuration,
 * and judges a stack exactly as the in-process handlers `npm run check` uses do.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { POLICIES } from "./policies";
import { analyzeStack, analyzeStackRequest, diagnosticsOf, type AnalyzeResponse } from "./runAnalyzer";
import { containerOf, fedoraResources, segmentedFedoraSpec } from "./testing/fedoraFixture";
import { edgeResources } from "./testing/edgeFixture";

const fromPolicy = createRequire(require.resolve("@pulumi/policy"));
const grpc = fromPolicy("@grpc/grpc-js");
const analyzerRpc = fromPolicy("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzerProto = fromPolicy("@pulumi/pulumi/proto/analyzer_pb");
const structProto = fromPolicy("google-protobuf/google/protobuf/struct_pb");
const emptyProto = fromPolicy("google-protobuf/google/protobuf/empty_pb");

const packDir = __dirname;
let pack: ChildProcess;
let client: any;

function rpc<T>(method: string, request: unknown): Promise<T> {
  return new Promise((resolve, reject) =>
    client[method](request, (error: Error | null, response: T) => (error ? reject(error) : resolve(response))),
  );
}

beforeAll(async () => {
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack/index.js");
  pack = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: packDir, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  pack.stderr!.on("data", (chunk) => (stderr += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = "";
    pack.stdout!.on("data", (chunk) => {
      stdout += chunk;
      const match = /^(\d+)\s*$/m.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    pack.on("exit", (code) => reject(new Error(`the pack exited (${code}) before serving:\n${stderr}`)));
  });
  client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 120_000);

afterAll(() => {
  client?.close();
  if (pack && pack.exitCode === null) pack.kill("SIGTERM");
});

describe("the pack over loopback gRPC (as pulumi preview --policy-pack runs it)", () => {
  test("GetAnalyzerInfo: the pack's name, every policy with its level and config schema", async () => {
    const info: any = await rpc("getAnalyzerInfo", new emptyProto.Empty());
    expect(info.getName()).toBe("paperclip-harness");
    expect(info.getSupportsconfig()).toBe(true);
    const policies = info.getPoliciesList();
    expect(policies.map((p: any) => p.getName())).toEqual(POLICIES.map((p) => p.name));
    for (const policy of policies) {
      expect(policy.getEnforcementlevel()).toBe(analyzerProto.EnforcementLevel.MANDATORY);
      expect(policy.getRemediationSteps()).not.toBe("");
    }
    const images = policies.find((p: any) => p.getName() === "images-pinned");
    expect(images.getConfigschema().getProperties().toJavaScript().floatingTagAllowList.default[0].image).toBe("quay.io/cockpit/ws");
  });

  test("AnalyzeStack: the same diagnostics as the in-process handlers `check` uses", async () => {
    const spec = segmentedFedoraSpec();
    containerOf(spec, "litellm").container.Image = "ghcr.io/berriai/litellm:main-stable";
    containerOf(spec, "paperclip").container.Environment!.OPENAI_BASE_URL = "https://api.openai.com/v1";
    const resources = [...fedoraResources(spec), ...edgeResources()];
    const overGrpc = diagnosticsOf(await rpc<AnalyzeResponse>("analyzeStack", analyzeStackRequest(resources)));
    const inProcess = await analyzeStack(POLICIES, resources);
    expect(overGrpc.map((d) => d.policy).sort()).toEqual([
      "agent-model-traffic-via-gateway",
      "agent-no-provider-credentials",
      "images-pinned",
    ]);
    expect(overGrpc).toEqual(inProcess);
  });

  test("Configure: a policy's enforcement level and settings from --policy-pack-config", async () => {
    const request = new analyzerProto.ConfigureAnalyzerRequest();
    const config = new analyzerProto.PolicyConfig();
    config.setEnforcementlevel(analyzerProto.EnforcementLevel.ADVISORY);
    config.setProperties(structProto.Struct.fromJavaScript({ floatingTagAllowList: [] }));
    request.getPolicyconfigMap().set("images-pinned", config);
    await rpc("configure", request);
    const diagnostics = diagnosticsOf(
      await rpc<AnalyzeResponse>("analyzeStack", analyzeStackRequest([...fedoraResources(segmentedFedoraSpec()), ...edgeResources()])),
    );
    expect(diagnostics).toEqual([
      {
        policy: "images-pinned",
        level: "advisory",
        message: expect.stringContaining("quay.io/cockpit/ws:latest uses the floating tag latest"),
        urn: expect.stringContaining("cockpit.container"),
      },
    ]);
  });
});
