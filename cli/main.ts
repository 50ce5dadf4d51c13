/**
 * The offline tool: `plan` and `check` (and `diff`) for any stack, with no Pulumi CLI, no provider
 * plugins, no cloud account and no network.
 *
 *   npm run plan  -- [stack…]   record each stack, print the preview tree, write .out/<stack>/
 *   npm run check -- [stack…]   plan, then run the policy pack and the real validators; non-zero on failure
 */
import { join, relative } from "node:path";
import { ConfigError } from "../infra/config";
import { planStack } from "./planStack";
import { shippedStacks } from "./stacks";
import { checkStack } from "./checkStack";

const root = join(__dirname, "..");

function usage(): never {
  console.error("usage: tsx cli/main.ts <plan|check> [stack…]");
  process.exit(2);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command !== "plan" && command !== "check") usage();
  const known = shippedStacks(root);
  const stacks = args.length > 0 ? args : known;
  for (const stack of stacks) {
    if (!known.includes(stack)) {
      console.error(`unknown stack ${stack}; stacks: ${known.join(", ")}`);
      return 2;
    }
  }

  let failed = 0;
  for (const stack of stacks) {
    try {
      const result = await planStack(root, stack);
      console.log(result.tree);
      console.log(`\nWrote ${relative(root, join(result.outDir, "plan.json"))} and ${result.artifacts.length} artifacts under ${relative(root, join(result.outDir, "artifacts"))}/\n`);
      if (command === "check") {
        const report = await checkStack(result);
        console.log(report.text);
        if (!report.ok) failed++;
      }
    } catch (error) {
      if (ConfigError.isConfigError(error)) {
        console.error(`error: ${error.message}\n`);
        failed++;
      } else {
        throw error;
      }
    }
  }
  if (stacks.length > 1 || failed > 0) {
    console.log(`${command}: ${stacks.length - failed} of ${stacks.length} stacks passed${failed > 0 ? `, ${failed} failed` : ""}`);
  }
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
