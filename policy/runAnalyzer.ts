/**
 * Runs policies the way `pulumi preview --policy-pack` does, without the CLI: every resource goes
 * through @pulumi/policy's own `analyze` handler, then the whole stack through its `analyzeStack`
 * handler (the functions the pack's gRPC server serves), with requests built in the engine's wire
 * format. Used by `npm run check` and by the pack's tests. One difference from the CLI, made
 * explicit: the CLI sends policy configuration with a `configure` call the SDK does not export, so
 * configuration is applied here by giving each policy its settings and enforcement level directly.
 */
import { createRequire } from "node:module";
import type { EnforcementLevel, Policies, Policy } from "@pulumi/policy";
import type { JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import { validateJsonSchema } from "./lib/jsonSchema";

// The protobuf classes must come from the copy of @pulumi/pulumi that @pulumi/policy uses; their
// types are the same generated declarations.
const fromPolicy = createRequire(require.resolve("@pulumi/policy"));
const analyzerProto = fromPolicy("@pulumi/pulumi/proto/analyzer_pb") as typeof import("@pulumi/pulumi/proto/analyzer_pb");
const structProto = fromPolicy("google-protobuf/google/protobuf/struct_pb") as typeof import("google-protobuf/google/protobuf/struct_pb");
const policyServer = fromPolicy("@pulumi/policy/server") as {
  makeAnalyzeRpcFun: (pack: string, version: string, level: EnforcementLevel, policies: Policies) => RpcHandler;
  makeAnalyzeStackRpcFun: (pack: string, version: string, level: EnforcementLevel, policies: Policies) => RpcHandler;
};

type RpcHandler = (call: { request: unknown }, callback: (error: unknown, response: AnalyzeResponse) => void) => Promise<void>;
export interface AnalyzeResponse {
  getNotApplicableList(): { getPolicyName(): string; getReason(): string }[];
  getDiagnosticsList(): {
    getPolicyname(): string;
    getDescription(): string;
    getMessage(): string;
    getUrn(): string;
    getEnforcementlevel(): number;
  }[];
}

/** A resource as the engine hands it to an analyzer: inputs in the engine's wire format. */
export interface AnalyzerResource {
  urn: string;
  type: string;
  name: string;
  /** Inputs in wire format (secrets as `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value}`). */
  properties: Record<string, unknown>;
  parent?: string;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
  protect?: boolean;
}

export interface Diagnostic {
  policy: string;
  level: "advisory" | "mandatory" | "disabled" | "remediate";
  /** The violation message (the SDK prefixes it with the policy's description; that prefix is removed). */
  message: string;
  urn?: string;
}

export type PolicyPackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

const LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;

/** Gives each policy its configured settings and enforcement level (what the CLI's `configure` call does). */
export function configurePolicies(policies: Policies, config: PolicyPackConfig = {}): Policies {
  return policies.map((policy) => {
    const entry = config[policy.name];
    if (entry === undefined) return policy;
    const { enforcementLevel, ...settings } = typeof entry === "string" ? { enforcementLevel: entry } : entry;
    const configured: Policy = { ...policy, ...(enforcementLevel ? { enforcementLevel } : {}) };
    if ("validateStack" in policy) {
      const stackPolicy = policy;
      return {
        ...configured,
        validateStack: (args, report) => stackPolicy.validateStack({ ...args, getConfig: <T extends object>() => settings as T }, report),
      };
    }
    return configured;
  });
}

function options(resource: AnalyzerResource) {
  const opts = new analyzerProto.AnalyzerResourceOptions();
  opts.setProtect(resource.protect ?? false);
  if (resource.parent) opts.setParent(resource.parent);
  return opts;
}

function call(handler: RpcHandler, request: unknown): Promise<AnalyzeResponse> {
  return new Promise((resolve, reject) => {
    void handler({ request }, (error, response) =>
      error ? reject(error instanceof Error ? error : new Error(JSON.stringify(error))) : resolve(response),
    );
  });
}

export function diagnosticsOf(response: AnalyzeResponse): Diagnostic[] {
  return response.getDiagnosticsList().map((d) => {
    const description = d.getDescription();
    const message = d.getMessage();
    const urn = d.getUrn();
    return {
      policy: d.getPolicyname(),
      level: LEVELS[d.getEnforcementlevel()] ?? "mandatory",
      message: description && message.startsWith(`${description}\n`) ? message.slice(description.length + 1) : message,
      ...(urn ? { urn } : {}),
    };
  });
}

/** The engine's `analyze` request for one resource. */
export function analyzeRequest(resource: AnalyzerResource): unknown {
  const request = new analyzerProto.AnalyzeRequest();
  request.setType(resource.type);
  request.setUrn(resource.urn);
  request.setName(resource.name);
  request.setProperties(structProto.Struct.fromJavaScript(resource.properties as Record<string, JavaScriptValue>));
  request.setOptions(options(resource));
  return request;
}

/** The engine's `analyzeStack` request for every resource, with parents and (property) dependencies. */
export function analyzeStackRequest(resources: readonly AnalyzerResource[]): unknown {
  const request = new analyzerProto.AnalyzeStackRequest();
  request.setResourcesList(
    resources.map((resource) => {
      const r = new analyzerProto.AnalyzerResource();
      r.setType(resource.type);
      r.setUrn(resource.urn);
      r.setName(resource.name);
      r.setProperties(structProto.Struct.fromJavaScript(resource.properties as Record<string, JavaScriptValue>));
      r.setOptions(options(resource));
      if (resource.parent) r.setParent(resource.parent);
      r.setDependenciesList(resource.dependencies ?? []);
      const map = r.getPropertydependenciesMap();
      for (const [property, urns] of Object.entries(resource.propertyDependencies ?? {})) {
        const deps = new analyzerProto.AnalyzerPropertyDependencies();
        deps.setUrnsList(urns);
        map.set(property, deps);
      }
      return r;
    }),
  );
  return request;
}

export interface AnalysisReport {
  diagnostics: Diagnostic[];
  /** Policies that found nothing of theirs to judge in the stack, with the reason they gave. */
  notApplicable: { policy: string; reason: string }[];
}

/** Analyzes every resource, then the stack; returns every diagnostic. */
export async function analyzeStack(
  policies: Policies,
  resources: readonly AnalyzerResource[],
  options_: { packName?: string; packVersion?: string; config?: PolicyPackConfig } = {},
): Promise<Diagnostic[]> {
  return (await analyzeStackReport(policies, resources, options_)).diagnostics;
}

/** Analyzes every resource, then the stack; returns every diagnostic and the policies that did not apply. */
export async function analyzeStackReport(
  policies: Policies,
  resources: readonly AnalyzerResource[],
  options_: { packName?: string; packVersion?: string; config?: PolicyPackConfig } = {},
): Promise<AnalysisReport> {
  const pack = options_.packName ?? "paperclip-harness";
  const version = options_.packVersion ?? "0.0.0";
  const configured = configurePolicies(policies, options_.config);
  const analyze = policyServer.makeAnalyzeRpcFun(pack, version, "mandatory", configured);
  const analyzeStackRpc = policyServer.makeAnalyzeStackRpcFun(pack, version, "mandatory", configured);

  const diagnostics: Diagnostic[] = [];
  for (const resource of resources) diagnostics.push(...diagnosticsOf(await call(analyze, analyzeRequest(resource))));
  const response = await call(analyzeStackRpc, analyzeStackRequest(resources));
  diagnostics.push(...diagnosticsOf(response));
  const notApplicable = response.getNotApplicableList().map((n) => ({ policy: n.getPolicyName(), reason: n.getReason() }));
  return { diagnostics, notApplicable };
}

/**
 * Problems with a policy pack configuration (what `--policy-pack-config` takes): unknown policies,
 * enforcement levels, and settings against each policy's schema, as the CLI checks them.
 */
export function policyConfigProblems(policies: Policies, config: unknown): string[] {
  if (config === null || typeof config !== "object" || Array.isArray(config)) return ["expected an object of policy names"];
  const byName = new Map(policies.map((p) => [p.name, p]));
  const problems: string[] = [];
  for (const [name, entry] of Object.entries(config)) {
    const policy = byName.get(name);
    if (!policy) {
      problems.push(`${name}: no such policy (policies: ${[...byName.keys()].join(", ")})`);
      continue;
    }
    const { enforcementLevel, ...settings } =
      typeof entry === "string" ? { enforcementLevel: entry } : ((entry ?? {}) as Record<string, unknown>);
    if (enforcementLevel !== undefined && !(LEVELS as readonly unknown[]).includes(enforcementLevel)) {
      problems.push(`${name}.enforcementLevel: expected one of ${LEVELS.join(", ")}`);
    }
    const schema = {
      type: "object" as const,
      properties: policy.configSchema?.properties ?? {},
      required: policy.configSchema?.required ?? [],
      additionalProperties: false,
    };
    problems.push(...validateJsonSchema(settings, schema, name));
  }
  return problems;
}
