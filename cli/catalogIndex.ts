/**
 * infra/catalog/index.ts, generated from the folder: every file there that exports a
 * `ServiceDefinition` is a service, listed in file-name order. Adding a service is adding its file and
 * running `npm run generate`; a test fails when the index is stale. Generated rather than read at run
 * time because Pulumi (ts-node), tsx and vitest load TypeScript through different hooks, and only a
 * static import is understood by all three.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const CATALOG_INDEX = "infra/catalog/index.ts";

/** `export const vaultwarden: ServiceDefinition` — the declaration that makes a file an entry. */
const ENTRY = /^export const ([A-Za-z_$][\w$]*): ServiceDefinition\b/gm;

export interface CatalogEntryFile {
  /** File name without `.ts`: the service's name too (a test checks it). */
  module: string;
  /** The exported definition. */
  binding: string;
}

/** The entries of a catalogue folder, in file-name order. A file with two definitions lists both. */
export function catalogEntryFiles(catalogDir: string): CatalogEntryFile[] {
  return readdirSync(catalogDir)
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && file !== "index.ts")
    .sort()
    .flatMap((file) =>
      [...readFileSync(join(catalogDir, file), "utf8").matchAll(ENTRY)].map((match) => ({
        module: file.slice(0, -".ts".length),
        binding: match[1]!,
      })),
    );
}

export function renderCatalogIndex(root: string): string {
  const entries = catalogEntryFiles(join(root, "infra", "catalog"));
  return [
    "// Generated from the files of infra/catalog by `npm run generate` (cli/catalogIndex.ts); do not edit by hand.",
    "/**",
    " * The service catalogue: one file per harness service, every file of this folder that exports a",
    " * ServiceDefinition. The unit, secrets, route, tunnel rule, DNS record and Access gate follow from it.",
    " */",
    ...entries.map(({ module, binding }) => `import { ${binding} } from "./${module}";`),
    'import type { ServiceDefinition } from "./types";',
    "",
    "export const CATALOG: readonly ServiceDefinition[] = [",
    ...entries.map(({ binding }) => `  ${binding},`),
    "];",
    "",
  ].join("\n");
}
