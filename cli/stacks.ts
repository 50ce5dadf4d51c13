import { readdirSync } from "node:fs";
import { join } from "node:path";

/** The stacks this repository ships: one `stacks/Pulumi.<stack>.yaml` each. */
export function shippedStacks(root: string): string[] {
  return readdirSync(join(root, "stacks"))
    .map((file) => /^Pulumi\.([^.]+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}
