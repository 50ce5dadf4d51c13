import * as pulumi from "@pulumi/pulumi";
import type { RegisterResourceOutputsRequest, RegisterResourceRequest, RegisterResourceResponse } from "@pulumi/pulumi/proto/resource_pb";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

/** One `registerResource` call, as the engine would receive it from `pulumi preview`. */
export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  /** Inputs as the program sent them; secret values are wrapped in Pulumi's secret envelope. */
  inputs: Record<string, unknown>;
  /** Inputs in the engine's wire format (what policy packs receive). */
  wireInputs: Record<string, unknown>;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  provider?: string;
  protect: boolean;
  ignoreChanges: string[];
  additionalSecretOutputs: string[];
  deleteBeforeReplace?: boolean;
  /** The resource's aliases as the SDK sent them: an old URN, or the parts of one that changed (name, type, parent). */
  aliases?: RecordedAlias[];
  /** What the component registered with registerOutputs (components only). */
  outputs?: Record<string, unknown>;
}

export interface RecordedAlias {
  urn?: string;
  name?: string;
  type?: string;
  parentUrn?: string;
  noParent?: boolean;
}

/** The SDK's MockMonitor, also keeping every registration it answers. */
export class RecordingMonitor extends MockMonitor {
  readonly records: RecordedResource[] = [];

  // The SDK declares these callbacks with `any`; the requests are the generated protobuf messages.
  override async registerResource(
    req: RegisterResourceRequest,
    callback: (err: unknown, response: RegisterResourceResponse) => void,
  ): Promise<void> {
    return super.registerResource(req, (err: unknown, response: RegisterResourceResponse) => {
      if (!err) {
        this.records.push({
          urn: response.getUrn(),
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          ...(req.getParent() ? { parent: req.getParent() } : {}),
          inputs: req.getObject() ? pulumi.runtime.deserializeProperties(req.getObject()!) : {},
          wireInputs: req.getObject()?.toJavaScript() ?? {},
          dependencies: req.getDependenciesList(),
          propertyDependencies: propertyDependenciesOf(req),
          ...(req.getProvider() ? { provider: req.getProvider() } : {}),
          protect: Boolean(req.getProtect()),
          ignoreChanges: req.getIgnorechangesList(),
          additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
          ...(req.getDeletebeforereplacedefined() ? { deleteBeforeReplace: req.getDeletebeforereplace() } : {}),
          ...aliasesOf(req),
        });
      }
      callback(err, response);
    });
  }

  override registerResourceOutputs(req: RegisterResourceOutputsRequest, callback: (err: unknown, response: unknown) => void): void {
    const record = this.records.find((r) => r.urn === req.getUrn());
    const outputs = req.getOutputs();
    if (record && outputs) record.outputs = pulumi.runtime.deserializeProperties(outputs);
    super.registerResourceOutputs(req, callback);
  }
}

function aliasesOf(req: RegisterResourceRequest): { aliases?: RecordedAlias[] } {
  const aliases: RecordedAlias[] = [
    ...req.getAliasurnsList().map((urn) => ({ urn })),
    ...req.getAliasesList().map((alias): RecordedAlias => {
      if (alias.hasUrn()) return { urn: alias.getUrn() };
      const spec = alias.getSpec();
      if (!spec) return {};
      return {
        ...(spec.getName() ? { name: spec.getName() } : {}),
        ...(spec.getType() ? { type: spec.getType() } : {}),
        ...(spec.getParenturn() ? { parentUrn: spec.getParenturn() } : {}),
        ...(spec.getNoparent() ? { noParent: true } : {}),
      };
    }),
  ];
  return aliases.length > 0 ? { aliases } : {};
}

function propertyDependenciesOf(req: RegisterResourceRequest): Record<string, string[]> {
  const dependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps, key) => (dependencies[key] = deps.getUrnsList()));
  return dependencies;
}
