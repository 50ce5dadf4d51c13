// Preloaded into a bench child (`node --require`): on exit, writes the process's CPU time and wall
// time since it started to the file BENCH_USAGE_FILE names, for cli/bench.ts.
const { writeFileSync } = require("node:fs");
const file = process.env.BENCH_USAGE_FILE;
if (file) {
  process.on("exit", () => {
    const cpu = process.cpuUsage();
    writeFileSync(file, JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, wallMs: process.uptime() * 1000 }));
  });
}
