import { join } from "node:path";
import { CATALOG_INDEX, renderCatalogIndex } from "./catalogIndex";
import { PR_DIFF_EXAMPLE_DOCUMENT, renderPrDiffExample, renderReadmeExcerpt } from "./diff/readmeExample";
import { renderProjectFile } from "./projectFile";
import { configReferenceTable, replaceSection } from "./readmeSections";
import { renderServicesTable } from "./servicesTable";
import { renderTopologyDocument, TOPOLOGY_DOCUMENT } from "./topology";

export interface GeneratedFile {
  path: string;
  /** Given the current text, the text the file should have. */
  render: (current: string) => string;
}

const ROOT = join(__dirname, "..");

export function generatedFiles(): GeneratedFile[] {
  return [
    // First: the files after it render from the catalogue (cli/generate.ts loads them once it is written).
    { path: CATALOG_INDEX, render: () => renderCatalogIndex(ROOT) },
    { path: "Pulumi.yaml", render: () => renderProjectFile() },
    { path: "README.md", render: (current) => replaceSection(current, "config reference", configReferenceTable()) },
    { path: "README.md", render: (current) => replaceSection(current, "services table", renderServicesTable()) },
    { path: "README.md", render: (current) => renderReadmeExcerpt(ROOT, current) },
    { path: PR_DIFF_EXAMPLE_DOCUMENT, render: (current) => renderPrDiffExample(ROOT, current) },
    { path: TOPOLOGY_DOCUMENT, render: () => renderTopologyDocument(ROOT) },
  ];
}
