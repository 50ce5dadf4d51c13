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
  /** What the component registered with registerOutputs (components only). */
  outputs?: Record<string, unknown>;
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

function propertyDependenciesOf(req: RegisterResourceRequest): Record<string, string[]> {
  const dependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps, key) => (dependencies[key] = deps.getUrnsList()));
  return dependencies;
}
