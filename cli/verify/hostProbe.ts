/**
 * `verify` for the fedora host: what the plan says the host holds (every non-secret file with its
 * hash, every restarted unit and its container's health check), one read-only script that reports
 * what the host actually holds, and the drift between the two — each with what to do.
 */
import { createHash } from "node:crypto";
import type { RecordedResource } from "../engine/RecordingMonitor";
import { isSecretEnvelope, plainValue } from "../engine/redact";
import { shellQuote, writtenPath } from "../../components/podman/hostCommands";

export interface ExpectedHost {
  files: { path: string; sha256: string }[];
  units: { unit: string; healthContainer?: string }[];
}

export interface Drift {
  what: string;
  found: string;
  fix: string;
}

const COMMAND = "command:remote:Command";

/** From the recorded plan: the files the stack writes with their planned hashes, and its units. */
export function expectedHost(resources: readonly RecordedResource[]): ExpectedHost {
  const files: ExpectedHost["files"] = [];
  const units: ExpectedHost["units"] = [];
  for (const resource of resources) {
    if (resource.type !== COMMAND) continue;
    const create = plainValue(resource.inputs.create);
    if (typeof create !== "string") continue;
    const path = writtenPath(create);
    // Secret files' values are not in the plan (nor should they be): only their presence is judged.
    if (path !== undefined && !isSecretEnvelope(resource.inputs.stdin) && typeof resource.inputs.stdin === "string") {
      files.push({ path, sha256: createHash("sha256").update(resource.inputs.stdin).digest("hex") });
    }
    const unit = /^harness-restart-(.+)$/.exec(resource.name)?.[1];
    if (unit !== undefined) {
      const health = /podman healthcheck run '([^']+)'/.exec(create)?.[1];
      units.push({ unit, ...(health === undefined ? {} : { healthContainer: health }) });
    }
  }
  return { files: files.sort((a, b) => a.path.localeCompare(b.path)), units: units.sort((a, b) => a.unit.localeCompare(b.unit)) };
}

/** A read-only script: one line per file (`file <i> <sha256|missing>`), unit and health check. */
export function hostProbeScript(expected: ExpectedHost): string {
  return [
    "set -u",
    'export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/run/user/$(id -u)}"',
    'f() { if [ -f "$HOME/$2" ]; then echo "file $1 $(sha256sum <"$HOME/$2" | cut -d" " -f1)"; else echo "file $1 missing"; fi; }',
    'u() { echo "unit $1 $(systemctl --user is-active "$2" 2>/dev/null || true)"; }',
    'h() { if podman healthcheck run "$2" >/dev/null 2>&1; then echo "health $1 ok"; else echo "health $1 failing"; fi; }',
    ...expected.files.map((file, i) => `f ${i} ${shellQuote(file.path)}`),
    ...expected.units.map((unit, i) => `u ${i} ${shellQuote(unit.unit)}`),
    ...expected.units.flatMap((unit, i) => (unit.healthContainer ? [`h ${i} ${shellQuote(unit.healthContainer)}`] : [])),
    "",
  ].join("\n");
}

/** The drift the probe's output shows, for the stack `stack`. */
export function hostDrift(expected: ExpectedHost, output: string, stack: string): Drift[] {
  const seen = new Map<string, string>();
  for (const line of output.split("\n")) {
    const [kind, index, ...rest] = line.trim().split(" ");
    if (kind && index !== undefined) seen.set(`${kind} ${index}`, rest.join(" "));
  }
  const drift: Drift[] = [];
  expected.files.forEach((file, i) => {
    const found = seen.get(`file ${i}`);
    if (found === file.sha256) return;
    drift.push({
      what: `file ~/${file.path}`,
      found: found === undefined ? "not reported" : found === "missing" ? "missing" : `sha256 ${found}, planned ${file.sha256}`,
      fix: `put the planned file back: npm run plan -- ${stack}, copy .out/${stack}/artifacts/${file.path} to ~/${file.path} on the host, then systemctl --user daemon-reload and restart its unit (a hand edit belongs in the catalogue)`,
    });
  });
  expected.units.forEach((unit, i) => {
    const state = seen.get(`unit ${i}`);
    if (state !== "active") {
      drift.push({
        what: `unit ${unit.unit}`,
        found: state ? `is ${state}` : "not reported",
        fix: `systemctl --user start ${unit.unit}; read why with journalctl --user -u ${unit.unit} -n 50`,
      });
    }
    if (unit.healthContainer && seen.get(`health ${i}`) !== "ok") {
      drift.push({
        what: `health check of ${unit.healthContainer}`,
        found: seen.get(`health ${i}`) ?? "not reported",
        fix: `podman healthcheck run ${unit.healthContainer}; podman logs --tail 50 ${unit.healthContainer}`,
      });
    }
  });
  return drift;
}
