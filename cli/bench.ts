/**
 * `npm run bench`: figures, not assertions.
 * 1. Against the bare SDK load: fresh processes, each the median of several runs — requiring the five
 *    Pulumi SDKs and nothing else, `check` of every stack in one process, `plan fedora` — with each
 *    figure as a ratio to the bare load measured in the same run (wall time, and CPU time, which a
 *    busy machine disturbs less).
 * 2. For each shipped stack in one warm process: the median of `plan` and of `check`, the first
 *    (cold) plan, the resource and artifact counts, each with its ratio to the bare load.
 * 3. What one more catalogue service costs: the fedora plan with 0…40 synthetic routed services, and
 *    the slope in ms per service.
 * 4. Every benchmark script in cli/bench/ (each prints its own figures).
 *
 *   npm run bench [-- --runs 5] [-- --child-runs 3] [-- --only sdk|stacks|services|scripts]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CATALOG } from "../infra/catalog";
import type { ServiceDefinition } from "../infra/catalog/types";
import { ConfigError, loadStackConfig } from "../infra/config";
import { deployFedora } from "../infra/targets/fedora";
import { checkStack } from "./checkStack";
import { extractArtifacts } from "./engine/artifacts";
import { planDocument } from "./engine/planDocument";
import { recordProgram } from "./engine/recordProgram";
import { readProjectFile, readStackSettings } from "./engine/stackSettings";
import { planStack } from "./planStack";
import { shippedStacks } from "./stacks";

const root = join(__dirname, "..");
const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    "child-runs": { type: "string", default: "3" },
    only: { type: "string" },
  },
});
const runs = Number(flags.runs);
const childRuns = Number(flags["child-runs"]);
const sections = flags.only === undefined ? undefined : new Set(flags.only.split(","));
const wanted = (section: string) => sections === undefined || sections.has(section);

/** The five SDKs the program's targets load. */
const SDKS = ["@pulumi/pulumi", "@pulumi/cloudflare", "@pulumi/kubernetes", "@pulumi/random", "@pulumi/command"];

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const ms = (value: number) => `${value.toFixed(0)} ms`;
const ratio = (value: number, bare: number) => `${(value / bare).toFixed(1)}×`;
const row = (cells: string[], width = 13) => cells.map((c) => c.padEnd(width)).join("");

async function timed<T>(action: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const result = await action();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

interface Usage {
  wallMs: number;
  cpuMs: number;
}

/** A fresh `node` with `args`, `childRuns` times: the medians of its wall and CPU time. */
function child(args: string[]): Usage {
  const scratch = mkdtempSync(join(tmpdir(), "bench-usage-"));
  try {
    const usages: Usage[] = [];
    for (let i = 0; i < childRuns; i++) {
      const file = join(scratch, `${i}.json`);
      const result = spawnSync(process.execPath, ["--require", join(__dirname, "bench", "reportUsage.cjs"), ...args], {
        cwd: root,
        env: { ...process.env, BENCH_USAGE_FILE: file },
        stdio: ["ignore", "ignore", "inherit"],
      });
      if (result.status !== 0) throw new Error(`bench: node ${args.join(" ")} exited ${result.status}`);
      usages.push(JSON.parse(readFileSync(file, "utf8")) as Usage);
    }
    return { wallMs: median(usages.map((u) => u.wallMs)), cpuMs: median(usages.map((u) => u.cpuMs)) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

let bare: Usage | undefined;
/** The bare load of the five SDKs, measured once per bench run (the denominator of every ratio). */
function bareLoad(): Usage {
  bare ??= child(["-e", SDKS.map((sdk) => `require(${JSON.stringify(sdk)});`).join("")]);
  return bare;
}

function benchSdk(): void {
  const base = bareLoad();
  const cli = (...args: string[]) => child(["--import", "tsx", join(root, "cli", "main.ts"), ...args]);
  console.log(`Fresh processes, median of ${childRuns} runs, against the bare load of ${SDKS.join(", ")}\n`);
  console.log(row(["figure", "wall", "× bare", "cpu", "× bare"], 24));
  const show = (name: string, usage: Usage) =>
    console.log(row([name, ms(usage.wallMs), ratio(usage.wallMs, base.wallMs), ms(usage.cpuMs), ratio(usage.cpuMs, base.cpuMs)], 24));
  show("bare SDK load", base);
  show("check, all stacks", cli("check"));
  show("plan fedora", cli("plan", "fedora"));
  console.log("\n(goals: check of all stacks ≤ 4× the bare load, plan fedora ≤ 2.5×; docs/architecture.md §Speed)\n");
}

async function benchStacks(): Promise<void> {
  const base = bareLoad().wallMs;
  const outRoot = mkdtempSync(join(tmpdir(), "bench-"));
  console.log(`Offline engine, one warm process, ${runs} runs per stack (median; "cold" is the first plan, module loading included)`);
  console.log(`Ratios are to the bare SDK load (${ms(base)} wall)\n`);
  console.log(row(["stack", "resources", "artifacts", "cold plan", "plan", "check", "validators"], 17));
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
        const withRatio = (value: number) => `${ms(value)} ${ratio(value, base)}`;
        console.log(
          row(
            [
              stack,
              String(first.plan.resources.length),
              String(first.artifacts.length),
              withRatio(cold),
              withRatio(median(planTimes)),
              withRatio(median(checkTimes)),
              String(validators),
            ],
            17,
          ),
        );
      } catch (error) {
        if (!ConfigError.isConfigError(error)) throw error;
        console.log(`${stack.padEnd(17)}configuration error: ${error.message.split("\n")[0]}`);
      }
    }
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }
  console.log("\n(check = plan + policies + validators on the artifacts)\n");
}

/** A routed service as a catalogue file declares one: its unit, route, tunnel rule, DNS record and Access gate. */
const synthetic =
  (i: number): ServiceDefinition =>
  () => ({
    name: `bench-${i}`,
    description: `synthetic service ${i} (cli/bench.ts)`,
    image: `docker.io/traefik/whoami:v1.11.0`,
    ports: [{ container: 80, host: 20_000 + i, posture: "cloudflared" }],
    route: { subdomain: `bench-${i}`, upstream: { port: 80 } },
    restart: "always",
  });

/** The fedora plan (record, plan document, artifacts) with `extra` synthetic services. */
async function planWith(extra: number): Promise<number> {
  const project = readProjectFile(root);
  const settings = readStackSettings(root, project, "fedora");
  const definitions = [...CATALOG, ...Array.from({ length: extra }, (_, i) => synthetic(i))];
  const [, time] = await timed(async () => {
    const recording = await recordProgram(() => deployFedora(loadStackConfig(["fedora"]), { definitions }), {
      project: project.name,
      stack: "fedora",
      config: { values: settings.config, secretKeys: settings.secretKeys },
    });
    planDocument({ ...recording, project: project.name, stack: "fedora", stackFile: settings.file, secretConfigValues: [] });
    extractArtifacts(recording.resources);
  });
  return time;
}

async function benchServices(): Promise<void> {
  const counts = [0, 10, 20, 40];
  await planWith(0); // warm
  const points: [number, number][] = [];
  console.log(`The fedora plan with synthetic routed services (one warm process, median of ${runs})\n`);
  console.log(row(["added", "plan"]));
  for (const count of counts) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await planWith(count));
    points.push([count, median(times)]);
    console.log(row([String(count), ms(median(times))]));
  }
  // Least squares: the cost of one more service.
  const n = points.length;
  const meanX = points.reduce((a, [x]) => a + x, 0) / n;
  const meanY = points.reduce((a, [, y]) => a + y, 0) / n;
  const slope =
    points.reduce((a, [x, y]) => a + (x - meanX) * (y - meanY), 0) / points.reduce((a, [x]) => a + (x - meanX) * (x - meanX), 0);
  console.log(`\n${slope.toFixed(1)} ms per added service\n`);
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
  if (wanted("sdk")) benchSdk();
  if (wanted("stacks")) await benchStacks();
  if (wanted("services")) await benchServices();
  if (wanted("scripts")) benchScripts();
})();
