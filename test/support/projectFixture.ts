/**
 * A real git repository holding a copy of this project (every tracked and not-ignored file of the
 * working tree), with node_modules shared by symlink, for tests that commit changes on top and run
 * the tools against the commits.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseDocument } from "yaml";
import { git } from "../../cli/diff/revisions";

export interface ProjectFixture {
  dir: string;
  /** Applies `edit` to the files, commits everything, returns the commit. */
  commit(message: string, edit: (dir: string) => void): Promise<string>;
  dispose(): void;
}

const IDENTITY = ["-c", "user.name=Fixture", "-c", "user.email=fixture@example.invalid", "-c", "commit.gpgsign=false"];

export async function createProjectFixture(projectRoot: string): Promise<ProjectFixture> {
  const dir = mkdtempSync(join(tmpdir(), "paperclip-harness-fixture-"));
  const listed = await git(projectRoot, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]);
  for (const file of listed.split("\0").filter(Boolean)) {
    const source = join(projectRoot, file);
    if (!existsSync(source) || !statSync(source).isFile()) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(source, join(dir, file));
  }
  await git(dir, ["init", "--quiet", "--initial-branch=main"]);
  // Shared, never committed (.gitignore's `node_modules/` does not match a symlink).
  writeFileSync(join(dir, ".git", "info", "exclude"), "node_modules\n");
  symlinkSync(join(projectRoot, "node_modules"), join(dir, "node_modules"), "dir");

  const commit = async (message: string, edit: (dir: string) => void) => {
    edit(dir);
    await git(dir, ["add", "--all"]);
    await git(dir, [...IDENTITY, "commit", "--quiet", "--allow-empty", "-m", message]);
    return git(dir, ["rev-parse", "HEAD"]);
  };
  await commit("The project as it is", () => {});
  return { dir, commit, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Sets `config.<key>` of `stacks/Pulumi.<stack>.yaml`, keeping the file's comments. */
export function setStackConfig(dir: string, stack: string, key: string, value: unknown): void {
  const file = join(dir, "stacks", `Pulumi.${stack}.yaml`);
  const document = parseDocument(readFileSync(file, "utf8"));
  document.setIn(["config", key], document.createNode(value));
  writeFileSync(file, document.toString());
}
