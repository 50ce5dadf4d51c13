/**
 * The Pulumi program: validate the stack's configuration in full, then let the selected target
 * declare its resources. Exported as a function so that both `pulumi up` (through infra/index.ts)
 * and the offline engine (cli/) run exactly this code.
 *
 * A renderer that refuses a value while the target declares its resources (RenderRefusal) is reported
 * like any other configuration problem: as the setting behind the value, without a stack trace.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadStackConfig, stackFileOf } from "./config";
import { RenderRefusal, renderRefusalProblem } from "./config/RenderRefusal";
import { implementedTargets, TARGET_IMPLEMENTATIONS } from "./targets";

export function program(): Record<string, unknown> {
  const config = loadStackConfig(implementedTargets());
  const target = TARGET_IMPLEMENTATIONS[config.target];
  if (!target) throw new Error(`target ${config.target} passed validation but has no implementation`);
  try {
    return target.deploy(config);
  } catch (error) {
    if (!RenderRefusal.isRenderRefusal(error)) throw error;
    throw new ConfigError(stackFileOf(pulumi.getStack()), [renderRefusalProblem(config, error)]);
  }
}
