/**
 * Rewrites the generated files (the catalogue index, Pulumi.yaml, README sections, docs pages).
 * `--check` fails instead when one is stale. The catalogue index is written before the rest is loaded:
 * the README's services table and the topology render from the catalogue it lists.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CATALOG_INDEX, renderCatalogIndex } from "./catalogIndex";
import type { GeneratedFile } from "./generatedFiles";

const root = join(__dirname, "..");
const check = parseArgs({ options: { check: { type: "boolean", default: false } } }).values.check;
let stale = 0;

function update({ path, render }: GeneratedFile): void {
  const file = join(root, path);
  const current = readFileSync(file, "utf8");
  const next = render(current);
  if (current === next) return;
  if (check) {
    console.error(`stale: ${path} (run npm run generate)`);
    stale++;
  } else {
    writeFileSync(file, next);
    console.log(`wrote ${path}`);
  }
}

async function main(): Promise<void> {
  update({ path: CATALOG_INDEX, render: () => renderCatalogIndex(root) });
  const { generatedFiles } = await import("./generatedFiles.js");
  for (const file of generatedFiles()) if (file.path !== CATALOG_INDEX) update(file);
  process.exit(stale > 0 ? 1 : 0);
}

void main();
