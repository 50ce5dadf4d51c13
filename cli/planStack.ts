/** `plan`: record a stack offline and write its plan and rendered artifacts under .out/<stack>/. */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Artifact, extractArtifacts } from "./engine/artifacts";
import { type PlanDocument, planDocument } from "./engine/planDocument";
import { renderPreviewTree } from "./engine/previewTree";
import { type RecordOptions, type Recording, recordStack } from "./engine/recordStack";

export interface StackPlan {
  recording: Recording;
  plan: PlanDocument;
  artifacts: Artifact[];
  tree: string;
  outDir: string;
}

/** `record` adjusts the recording (tests plan a stack with changed config). */
export async function planStack(
  root: string,
  stack: string,
  outRoot = join(root, ".out"),
  record: Omit<RecordOptions, "root" | "stack"> = {},
): Promise<StackPlan> {
  const recording = await recordStack({ ...record, root, stack });
  const plan = planDocument(recording);
  const artifacts = extractArtifacts(recording.resources);
  const outDir = join(outRoot, stack);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "plan.json"), `${JSON.stringify(plan, null, 2)}\n`);
  for (const artifact of artifacts) {
    const path = join(outDir, "artifacts", artifact.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, artifact.content);
  }
  const tree = renderPreviewTree(plan.project, plan.stack, plan.resources);
  writeFileSync(join(outDir, "preview.txt"), `${tree}\n`);
  return { recording, plan, artifacts, tree, outDir };
}
