/**
 * The offline tool: `plan` and `check` (and `diff`) for any stack, with no Pulumi CLI, no provider
 * plugins, no cloud account and no network.
 *
 *   npm run plan  -- [stack…]   record each stack, print the preview tree, write .out/<stack>/
 *   npm run check -- [stack…]   plan, then run the policy pack and the real validators; non-zero on failure
 *   npm run diff -- --base <ref> [--head <ref>] [--out <dir>] [stack…]
 *                               plan two revisions, write one Markdown document per stack (docs/pr-diffs.md)
 *
 *   npm run verify -- <stack> [--kubeconfig <file>]
 *                               read-only: does the live target still match the plan? (docs/upgrades.md)
 *
 * `plan --json-out <dir>` also writes one plan export per stack for the diff (cli/diff/planExport.ts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../infra/config";
import { planStack } from "./planStack";
import { shippedStacks } from "./stacks";
import { checkStack } from "./checkStack";
import { diffCommand } from "./diff/diffCommand";
import { formatReport, verifyStack } from "./verify/verifyStack";
import { DIFF_KEY_ENV, exportStackPlan, failedStackExport, type PlanExport } from "./diff/planExport";

const root = join(__dirname, "..");

function usage(): never {
  console.error(
    "usage: tsx cli/main.ts <plan|check> [stack…] | plan --json-out <dir> [stack…] | diff --base <git-ref> [--head <git-ref>] [--out <dir>] [stack…] | verify <stack> [--kubeconfig <file>]",
  );
  process.exit(2);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "diff") return diffCommand(root, rest);
  if (command === "verify") return verifyCommand(rest);
  if (command !== "plan" && command !== "check") usage();
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: command === "plan" ? { "json-out": { type: "string" } } : {},
      allowPositionals: true,
    });
  } catch (error) {
    console.error((error as Error).message);
    usage();
  }
  const jsonOut = (parsed.values as { "json-out"?: string })["json-out"];
  const args = parsed.positionals;
  if (jsonOut !== undefined) return exportPlans(jsonOut, args);
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
      console.log(
        `\nWrote ${relative(root, join(result.outDir, "plan.json"))} and ${result.artifacts.length} artifacts under ${relative(root, join(result.outDir, "artifacts"))}/\n`,
      );
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

/**
 * `verify <stack> [--kubeconfig <file>]`: the live target against the plan, with the operator's own
 * credentials (HARNESS_SSH_IDENTITY, CLOUDFLARE_API_TOKEN, FLY_API_TOKEN, the kubeconfig). Exit 1
 * on drift, 2 on bad usage.
 */
async function verifyCommand(args: string[]): Promise<number> {
  const known = shippedStacks(root);
  const fail = (message: string) => {
    console.error(`${message}\nusage: npm run verify -- <stack> [--kubeconfig <file>]; stacks: ${known.join(", ")}`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({ args, options: { kubeconfig: { type: "string" } }, allowPositionals: true });
  } catch (error) {
    return fail((error as Error).message);
  }
  const [stack, ...extra] = parsed.positionals;
  if (stack === undefined || extra.length > 0) return fail("verify takes one stack");
  if (!known.includes(stack)) return fail(`unknown stack ${JSON.stringify(stack)}`);
  let result;
  try {
    result = await planStack(root, stack);
  } catch (error) {
    if (!ConfigError.isConfigError(error)) throw error;
    console.error(`error: ${error.message}`);
    return 1;
  }
  const env = process.env;
  const report = await verifyStack(result.recording.resources, stack, {
    ...(env.HARNESS_SSH_IDENTITY ? { sshIdentity: env.HARNESS_SSH_IDENTITY } : {}),
    ...(env.CLOUDFLARE_API_TOKEN ? { cloudflareToken: env.CLOUDFLARE_API_TOKEN } : {}),
    ...(env.FLY_API_TOKEN ? { flyToken: env.FLY_API_TOKEN } : {}),
    ...(parsed.values.kubeconfig ? { kubeconfig: parsed.values.kubeconfig } : {}),
  });
  console.log(formatReport(stack, report));
  return report.checked.length === 0 ? 2 : report.drift.length > 0 ? 1 : 0;
}

/**
 * `plan --json-out <dir>`: the diff's child process. Writes `<dir>/<stack>.json` for every stack,
 * a failed plan included (as its error), under the fingerprint key the diff passes in the
 * environment. Exits 0 when every export was written.
 */
async function exportPlans(dir: string, requested: string[]): Promise<number> {
  const key = process.env[DIFF_KEY_ENV];
  if (!key) {
    console.error(`plan --json-out needs the fingerprint key in ${DIFF_KEY_ENV} (npm run diff sets it)`);
    return 2;
  }
  const known = shippedStacks(root);
  const stacks = requested.length > 0 ? requested : known;
  const unknown = stacks.filter((stack) => !known.includes(stack));
  if (unknown.length > 0) {
    console.error(`unknown stack ${unknown.join(", ")}; stacks: ${known.join(", ")}`);
    return 2;
  }
  mkdirSync(dir, { recursive: true });
  for (const stack of stacks) {
    let document: PlanExport;
    try {
      document = await exportStackPlan(await planStack(root, stack, join(dir, "plans")), key);
    } catch (error) {
      document = failedStackExport(stack, error);
    }
    writeFileSync(join(dir, `${stack}.json`), JSON.stringify(document), { mode: 0o600 });
    console.log(`exported ${stack}${document.ok ? "" : " (planning failed)"}`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
