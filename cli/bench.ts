/**
 * `npm run bench`: figures, not assertions. For each shipped stack, the median wall time of `plan`
 * and of `check` over several runs in one warm process, the first (cold) plan, and the resource and
 * artifact counts; then every benchmark script in cli/bench/ (each prints its own figures).
 *
 *   npm run bench [-- --runs 5] [-- --only plan]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../infra/config";
import { checkStack } from "./checkStack";
import { planStack } from "./planStack";
import { shippedStacks } from "./stacks";

const root = join(__dirname, "..");
const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const ms = (value: number) => `${value.toFixed(0)} ms`;

async function timed<T>(action: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const result = await action();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

async function benchStacks(): Promise<void> {
  const outRoot = mkdtempSync(join(tmpdir(), "bench-"));
  console.log(`Offline engine, ${runs} runs per stack (median; "cold" is the first plan, module loading included)\n`);
  console.log(["stack", "resources", "artifacts", "cold plan", "plan", "check", "validators"].map((h) => h.padEnd(11)).join(""));
  try {
    for (const stack of shippedStacks(root)) {
      try {
        const [first, cold] = await timed(() => planStack(root, stack, outRoot));
        const planTimes: number[] = [];
        const checkTimes: number[] = [];
        let validators = 0;
        for (let i = 0; i < runs; i++) {
          const [plan, planTime] = await timed(() => planStack(root, stack, outRoot));
          planTimes.push(planTime);
          const [report, checkTime] = await timed(() => checkStack(plan));
          checkTimes.push(planTime + checkTime);
          validators = report.results.length;
        }
        console.log(
          [
            stack,
            String(first.plan.resources.length),
            String(first.artifacts.length),
            ms(cold),
            ms(median(planTimes)),
            ms(median(checkTimes)),
            String(validators),
          ]
            .map((c) => c.padEnd(11))
            .join(""),
        );
      } catch (error) {
        if (!ConfigError.isConfigError(error)) throw error;
        console.log(`${stack.padEnd(11)}configuration error: ${error.message.split("\n")[0]}`);
      }
    }
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }
  console.log("\n(check = plan + policies + validators on the artifacts)\n");
}

function benchScripts(): void {
  const dir = join(__dirname, "bench");
  for (const script of readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .sort()) {
    console.log(`== cli/bench/${script}`);
    const result = spawnSync(process.execPath, ["--import", "tsx", join(dir, script)], { cwd: root, stdio: "inherit" });
    if (result.status !== 0) process.exitCode = 1;
    console.log("");
  }
}

void (async () => {
  if (only !== "scripts") await benchStacks();
  if (only !== "plan") benchScripts();
})();
