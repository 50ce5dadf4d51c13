/**
 * The Pulumi program: validate the stack's configuration in full, then let the selected target
 * declare its resources. Exported as a function so that both `pulumi up` (through infra/index.ts)
 * and the offline engine (cli/) run exactly this code.
 */
import { loadStackConfig } from "./config";
import { implementedTargets, TARGET_IMPLEMENTATIONS } from "./targets";

export function program(): Record<string, unknown> {
  const config = loadStackConfig(implementedTargets());
  const target = TARGET_IMPLEMENTATIONS[config.target];
  if (!target) throw new Error(`target ${config.target} passed validation but has no implementation`);
  return target.deploy(config);
}
