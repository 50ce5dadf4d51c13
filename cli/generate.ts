/** Rewrites the generated files (Pulumi.yaml, README sections). `--check` fails instead when one is stale. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatedFiles } from "./generatedFiles";

const root = join(__dirname, "..");
const check = process.argv.includes("--check");
let stale = 0;
for (const { path, render } of generatedFiles()) {
  const file = join(root, path);
  const current = readFileSync(file, "utf8");
  const next = render(current);
  if (current === next) continue;
  if (check) {
    console.error(`stale: ${path} (run npm run generate)`);
    stale++;
  } else {
    writeFileSync(file, next);
    console.log(`wrote ${path}`);
  }
}
process.exit(stale > 0 ? 1 : 0);
