import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describeAbnormalEnd, outputLines, runProcess } from "./runProcess";
import { DEFAULT_TARGET_EXECUTABLES, verifyUserUnits, type UnitProblem } from "./systemdVerify";
import { findTool, missingToolResult, type ToolLookup } from "./tools";
import type { ValidationResult } from "./types";

/**
 * Validates rendered Quadlet files with the real generator and the real unit verifier:
 *
 * 1. `QUADLET_UNIT_DIRS=<quadletDir> quadlet -no-kmsg-log -user <outDir>` (Podman 5.4's generator,
 *    from .tools). Every stderr line is a failure; `converting "<file>": …` lines name the file.
 *    (-no-kmsg-log: otherwise the generator, as root, logs its errors to /dev/kmsg and stderr stays
 *    empty. -dryrun is not used because it also logs "Loading source unit file" noise to stderr.)
 * 2. `systemd-analyze --user verify` on every generated unit plus the plain units, together in one
 *    directory, so Requires=/After=/WantedBy= between them resolve (see systemdVerify.ts).
 * Problems are reported against the caller's source file, mapped through the SourcePath= line the
 * generator writes into each unit.
 *
 * Known blind spot (probed, Podman 5.4.2): values the generator passes through to `podman run`
 * verbatim are not checked here, e.g. PublishPort=nonsense becomes `--publish nonsense` and only fails
 * when the container starts. Values the generator itself parses (RemapUsers=, [Service] User=, …) fail.
 */

/** Files the Quadlet generator reads. */
export const QUADLET_SOURCE_EXTENSIONS = [".container", ".network", ".volume", ".build", ".pod", ".image", ".kube", ".artifact"] as const;
/** Plain user units verified alongside the generated ones. */
export const PLAIN_UNIT_EXTENSIONS = [".service", ".timer", ".target", ".socket", ".path", ".slice"] as const;

export interface QuadletValidationOptions extends ToolLookup {
  /** Directory of .container/.network/.volume/.build/.pod files (subdirectories are read too). */
  quadletDir?: string;
  /** Optional directory of plain user units (.service/.timer/.target …). */
  plainUnitDir?: string;
  /** Executables the target host provides; default ["/usr/bin/podman"]. */
  targetExecutables?: readonly string[];
  /** Per spawned process. */
  timeoutMs?: number;
}

export interface GeneratedUnit {
  /** e.g. "web.service", "app-network.service". */
  unitName: string;
  /** The Quadlet file it came from, as quadletDir-joined path. */
  sourceFile: string;
  text: string;
}

export interface QuadletValidation {
  /** One result per source file (Quadlet and plain), plus one for problems no file can be named for. */
  results: ValidationResult[];
  generatedUnits: GeneratedUnit[];
}

const DEFAULT_TIMEOUT_MS = 60_000;
const CONVERTING_LINE = /converting "([^"]+)": (.*)$/;

function listFiles(root: string, extensions: readonly string[], recursive: boolean): string[] {
  const found: string[] = [];
  const walk = (relativeDir: string) => {
    for (const entry of readdirSync(path.join(root, relativeDir), { withFileTypes: true })) {
      const relative = path.join(relativeDir, entry.name);
      if (entry.isDirectory()) {
        // "<unit>.d" directories hold drop-ins, which the generator merges into their unit.
        if (recursive && !entry.name.endsWith(".d")) walk(relative);
      } else if (extensions.some((extension) => entry.name.endsWith(extension))) {
        found.push(relative);
      }
    }
  };
  walk("");
  return found.sort();
}

/** The generator's SourcePath= line: which Quadlet file a generated unit came from (pure). */
export function sourcePathOf(unitText: string): string | undefined {
  const match = /^SourcePath=(.+)$/m.exec(unitText);
  return match?.[1]?.trim();
}

/** "systemd-analyze verify of generated web.service:35: Unknown key …" */
function describeProblem(problem: UnitProblem, unitKind: "generated" | "plain"): string {
  if (problem.unit === undefined) return `systemd-analyze verify: ${problem.message}`;
  const where = `${problem.unit}${problem.line === undefined ? "" : `:${problem.line}`}`;
  return `systemd-analyze verify of ${unitKind === "generated" ? "generated " : ""}${where}: ${problem.message}`;
}

export async function quadletValidator(options: QuadletValidationOptions): Promise<QuadletValidation> {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const quadletDir = path.resolve(options.quadletDir ?? "");
  const quadletFiles =
    options.quadletDir !== undefined && existsSync(quadletDir) ? listFiles(quadletDir, QUADLET_SOURCE_EXTENSIONS, true) : [];
  const plainUnitDir = options.plainUnitDir === undefined ? undefined : path.resolve(options.plainUnitDir);
  const plainFiles = plainUnitDir === undefined ? [] : listFiles(plainUnitDir, PLAIN_UNIT_EXTENSIONS, false);
  const quadletTarget = (relative: string) => path.join(options.quadletDir ?? "", relative);
  const dirTarget = options.quadletDir ?? options.plainUnitDir ?? "";
  const plainTarget = (name: string) => path.join(options.plainUnitDir ?? "", name);

  if (quadletFiles.length === 0 && plainFiles.length === 0) {
    return {
      results: [{ validator: "quadlet", target: dirTarget, status: "failed", message: "no Quadlet or unit files found" }],
      generatedUnits: [],
    };
  }
  const quadlet = findTool("quadlet", options);
  const systemdAnalyze = findTool("systemd-analyze", options);
  if (quadletFiles.length > 0 && quadlet === undefined) {
    return { results: [missingToolResult("quadlet", dirTarget, "quadlet", env)], generatedUnits: [] };
  }
  if (systemdAnalyze === undefined) {
    return { results: [missingToolResult("systemd-verify", dirTarget, "systemd-analyze", env)], generatedUnits: [] };
  }

  const workDir = mkdtempSync(path.join(os.tmpdir(), "quadlet-validate-"));
  try {
    const unitDir = path.join(workDir, "units");
    mkdirSync(unitDir);
    const generalProblems: string[] = [];
    const fileProblems = new Map<string, string[]>(); // key: quadlet relative path or plain unit name
    const addFileProblem = (key: string, message: string) => fileProblems.set(key, [...(fileProblems.get(key) ?? []), message]);

    // 1. Generate.
    const generatedUnits: GeneratedUnit[] = [];
    const unitToSource = new Map<string, string>(); // generated unit name -> quadletDir-relative source
    if (quadletFiles.length > 0 && quadlet !== undefined) {
      const outcome = await runProcess(quadlet, ["-no-kmsg-log", "-user", unitDir], {
        env: { ...env, QUADLET_UNIT_DIRS: quadletDir },
        timeoutMs,
      });
      const abnormal = describeAbnormalEnd("quadlet", outcome, timeoutMs);
      if (abnormal !== undefined) generalProblems.push(abnormal);
      for (const line of outputLines(outcome.stderr)) {
        const converting = CONVERTING_LINE.exec(line);
        const named = converting?.[1];
        const relative = named === undefined ? undefined : quadletFiles.find((file) => file === named || path.basename(file) === named);
        if (relative !== undefined) addFileProblem(relative, `quadlet: ${converting?.[2] ?? line}`);
        else generalProblems.push(`quadlet: ${line}`);
      }
      if (outcome.exitCode !== 0 && abnormal === undefined && outputLines(outcome.stderr).length === 0) {
        generalProblems.push(`quadlet exited ${outcome.exitCode} without saying why`);
      }
      for (const entry of readdirSync(unitDir, { withFileTypes: true })) {
        if (!entry.isFile()) continue; // default.target.wants/ etc. hold [Install] symlinks
        const text = readFileSync(path.join(unitDir, entry.name), "utf8");
        const sourcePath = sourcePathOf(text);
        const relative = sourcePath === undefined ? undefined : path.relative(quadletDir, sourcePath);
        if (relative === undefined || relative.startsWith("..")) {
          generalProblems.push(`quadlet wrote ${entry.name} without a SourcePath= inside ${dirTarget}`);
          continue;
        }
        generatedUnits.push({ unitName: entry.name, sourceFile: quadletTarget(relative), text });
        unitToSource.set(entry.name, relative);
      }
    }

    // 2. Plain units go beside the generated ones so references between them resolve.
    for (const name of plainFiles) {
      if (unitToSource.has(name)) {
        addFileProblem(name, `a Quadlet file already generates ${name}`);
        continue;
      }
      copyFileSync(path.join(plainUnitDir ?? "", name), path.join(unitDir, name));
    }

    // 3. Verify everything together.
    const unitFiles = readdirSync(unitDir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(unitDir, entry.name))
      .sort();
    if (unitFiles.length > 0) {
      const verification = await verifyUserUnits({
        systemdAnalyze,
        unitFiles,
        targetExecutables: options.targetExecutables ?? DEFAULT_TARGET_EXECUTABLES,
        workDir: path.join(workDir, "verify"),
        timeoutMs,
        env,
      });
      if (verification.setupError !== undefined) generalProblems.push(verification.setupError);
      for (const problem of verification.problems) {
        const source = problem.unit === undefined ? undefined : unitToSource.get(problem.unit);
        if (source !== undefined) addFileProblem(source, describeProblem(problem, "generated"));
        else if (problem.unit !== undefined && plainFiles.includes(problem.unit))
          addFileProblem(problem.unit, describeProblem(problem, "plain"));
        else generalProblems.push(describeProblem(problem, "plain"));
      }
      // A verify that never ran judged nothing: no file may pass on it.
      if (verification.setupError !== undefined) {
        for (const key of [...quadletFiles, ...plainFiles]) addFileProblem(key, `not verified: ${verification.setupError}`);
      }
    }

    // 4. One result per source file.
    const results: ValidationResult[] = [];
    for (const relative of quadletFiles) {
      const problems = fileProblems.get(relative) ?? [];
      const produced = [...unitToSource].filter(([, source]) => source === relative).map(([unitName]) => unitName);
      if (problems.length === 0 && produced.length === 0) problems.push("quadlet produced no unit for this file and reported nothing");
      results.push(
        problems.length > 0
          ? { validator: "quadlet", target: quadletTarget(relative), status: "failed", message: problems.join("\n") }
          : {
              validator: "quadlet",
              target: quadletTarget(relative),
              status: "passed",
              message: `generated ${produced.join(", ")}; systemd-analyze --user verify clean`,
            },
      );
    }
    for (const name of plainFiles) {
      const problems = fileProblems.get(name) ?? [];
      results.push(
        problems.length > 0
          ? { validator: "systemd-verify", target: plainTarget(name), status: "failed", message: problems.join("\n") }
          : { validator: "systemd-verify", target: plainTarget(name), status: "passed", message: "systemd-analyze --user verify clean" },
      );
    }
    if (generalProblems.length > 0) {
      results.push({
        validator: quadletFiles.length > 0 ? "quadlet" : "systemd-verify",
        target: dirTarget,
        status: "failed",
        message: generalProblems.join("\n"),
      });
    }
    return { results, generatedUnits };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Convenience for callers asserting on one generated service (pure). */
export function generatedUnitNamed(validation: QuadletValidation, unitName: string): GeneratedUnit | undefined {
  return validation.generatedUnits.find((unit) => unit.unitName === unitName);
}
