import * as pulumi from "@pulumi/pulumi";
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

/* eslint-disable @typescript-eslint/no-explicit-any -- the monitor speaks in generated gRPC request objects */

/** The SDK's MockMonitor, also keeping every registration it answers. */
export class RecordingMonitor extends MockMonitor {
  readonly records: RecordedResource[] = [];

  override async registerResource(req: any, callback: (err: any, response: any) => void): Promise<void> {
    return super.registerResource(req, (err: any, response: any) => {
      if (!err) {
        this.records.push({
          urn: response.getUrn(),
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          ...(req.getParent() ? { parent: req.getParent() } : {}),
          inputs: pulumi.runtime.deserializeProperties(req.getObject()),
          wireInputs: req.getObject()?.toJavaScript() ?? {},
          dependencies: req.getDependenciesList(),
          propertyDependencies: Object.fromEntries(
            [...req.getPropertydependenciesMap().entries()].map(([key, deps]: [string, any]) => [key, deps.getUrnsList()]),
          ),
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

  override registerResourceOutputs(req: any, callback: (err: any, response: any) => void): void {
    const record = this.records.find((r) => r.urn === req.getUrn());
    if (record) record.outputs = pulumi.runtime.deserializeProperties(req.getOutputs());
    super.registerResourceOutputs(req, callback);
  }
}
