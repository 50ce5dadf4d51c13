/**
 * A Pulumi engine stand-in on 127.0.0.1: the ResourceMonitor and Engine gRPC services the Node.js
 * language runtime connects to, answered by the SDK's own MockMonitor (here our RecordingMonitor).
 * With it, the real `@pulumi/pulumi/cmd/run` entry point — what `pulumi up` spawns — runs the program
 * as a user's machine would, TypeScript loading included, with no CLI and no plugins.
 */
import { createRequire } from "node:module";
import type { RecordingMonitor } from "../../cli/engine/RecordingMonitor";

const load = createRequire(__filename);
const grpc = load("@grpc/grpc-js");
const resourceGrpc = load("@pulumi/pulumi/proto/resource_grpc_pb");
const engineGrpc = load("@pulumi/pulumi/proto/engine_grpc_pb");
const resourcePb = load("@pulumi/pulumi/proto/resource_pb");
const enginePb = load("@pulumi/pulumi/proto/engine_pb");
const { Empty } = load("google-protobuf/google/protobuf/empty_pb");

/** LogSeverity in engine.proto. */
export type LogSeverity = "debug" | "info" | "warning" | "error";
const SEVERITIES: readonly LogSeverity[] = ["debug", "info", "warning", "error"];

export interface LoopbackEngine {
  address: string;
  logs: { severity: LogSeverity; message: string }[];
  stop(): Promise<void>;
}

type Callback = (error: unknown, response?: unknown) => void;

export async function startLoopbackEngine(monitor: RecordingMonitor): Promise<LoopbackEngine> {
  const server = new grpc.Server();
  const logs: LoopbackEngine["logs"] = [];
  let rootResource = "";
  const unimplemented = (_call: unknown, callback: Callback) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: "not available offline" });

  server.addService(resourceGrpc.ResourceMonitorService, {
    supportsFeature: (call: any, callback: Callback) => {
      // The same answer the mock runtime gives: everything but output values.
      const response = new resourcePb.SupportsFeatureResponse();
      response.setHassupport(call.request.getId() !== "outputValues");
      callback(null, response);
    },
    registerResource: (call: any, callback: Callback) => void monitor.registerResource(call.request, callback),
    registerResourceOutputs: (call: any, callback: Callback) =>
      monitor.registerResourceOutputs(call.request, (error: unknown) => callback(error, new Empty())),
    invoke: (call: any, callback: Callback) => void monitor.invoke(call.request, callback),
    readResource: (call: any, callback: Callback) => void monitor.readResource(call.request, callback),
    registerPackage: (call: any, callback: Callback) => monitor.registerPackage(call.request, callback),
    signalAndWaitForShutdown: (_call: unknown, callback: Callback) => callback(null, new Empty()),
    getDeploymentInfo: unimplemented,
    call: unimplemented,
    registerStackTransform: unimplemented,
    registerStackInvokeTransform: unimplemented,
    registerResourceHook: unimplemented,
    registerErrorHook: unimplemented,
  });
  server.addService(engineGrpc.EngineService, {
    log: (call: any, callback: Callback) => {
      logs.push({ severity: SEVERITIES[call.request.getSeverity()] ?? "error", message: call.request.getMessage() });
      callback(null, new Empty());
    },
    getRootResource: (_call: unknown, callback: Callback) => {
      const response = new enginePb.GetRootResourceResponse();
      response.setUrn(rootResource);
      callback(null, response);
    },
    setRootResource: (call: any, callback: Callback) => {
      rootResource = call.request.getUrn();
      callback(null, new enginePb.SetRootResourceResponse());
    },
    requirePulumiVersion: (_call: unknown, callback: Callback) => callback(null, new enginePb.RequirePulumiVersionResponse()),
    startDebugging: unimplemented,
  });

  const port: number = await new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error: Error | null, bound: number) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    logs,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
