import { renderProjectFile } from "./projectFile";
import { renderServicesTable, replaceSection, SERVICES_TABLE_BEGIN, SERVICES_TABLE_END } from "./servicesTable";

export interface GeneratedFile {
  path: string;
  /** Given the current text, the text the file should have. */
  render(current: string): string;
}

export function generatedFiles(): GeneratedFile[] {
  return [
    { path: "Pulumi.yaml", render: () => renderProjectFile() },
    { path: "README.md", render: (current) => replaceSection(current, SERVICES_TABLE_BEGIN, SERVICES_TABLE_END, renderServicesTable()) },
  ];
}
