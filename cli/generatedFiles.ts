import { join } from "node:path";
import { renderReadmeExample } from "./diff/readmeExample";
import { renderProjectFile } from "./projectFile";
import { configReferenceTable, replaceSection } from "./readmeSections";
import { renderServicesTable } from "./servicesTable";

export interface GeneratedFile {
  path: string;
  /** Given the current text, the text the file should have. */
  render: (current: string) => string;
}

export function generatedFiles(): GeneratedFile[] {
  return [
    { path: "Pulumi.yaml", render: () => renderProjectFile() },
    { path: "README.md", render: (current) => replaceSection(current, "config reference", configReferenceTable()) },
    { path: "README.md", render: (current) => replaceSection(current, "services table", renderServicesTable()) },
    { path: "README.md", render: (current) => renderReadmeExample(join(__dirname, ".."), current) },
  ];
}
