/**
 * `verify` for the fedora host: what the plan says the host holds (every non-secret file with its
 * hash, every restarted unit and its container's health check), one read-only script that reports
 * what the host actually holds, and the drift between the two — each with what to do.
 */
import { createHash } from "node:crypto";
import type { RecordedResource } from "../engine/RecordingMonitor";
import { isSecretEnvelope, plainValue } from "../engine/redact";
import { shellQuote, writtenPath } from "../../components/podman/hostCommands";
import { PAPERCLIP_HEALTH } from "../../components/paperclip/paperclipSettings";
import { BACKUP_PROGRAM_PATH } from "../../infra/targets/fedora/backupPlan";

export interface ExpectedHost {
  files: { path: string; sha256: string }[];
  units: { unit: string; healthContainer?: string }[];
  /** Public routes probed through Caddy with their public Host: a unit's route, and Paperclip's health probe. */
  routes: { what: string; unit: string; hostname: string; url: string; healthy: "below-500" | "200" }[];
  /** The backup program (docs/backups.md), when the stack writes one: its `freshness` is judged. */
  backupProgram?: string;
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
  const routes: ExpectedHost["routes"] = [];
  let backupProgram: string | undefined;
  for (const resource of resources) {
    if (resource.type !== COMMAND) continue;
    const create = plainValue(resource.inputs.create);
    if (typeof create !== "string") continue;
    const path = writtenPath(create);
    // Secret files' values are not in the plan (nor should they be): only their presence is judged.
    if (path !== undefined && !isSecretEnvelope(resource.inputs.stdin) && typeof resource.inputs.stdin === "string") {
      files.push({ path, sha256: createHash("sha256").update(resource.inputs.stdin).digest("hex") });
    }
    if (path === BACKUP_PROGRAM_PATH) backupProgram = path;
    const unit = /^harness-restart-(.+)$/.exec(resource.name)?.[1];
    if (unit !== undefined) {
      const health = /podman healthcheck run '([^']+)'/.exec(create)?.[1];
      units.push({ unit, ...(health === undefined ? {} : { healthContainer: health }) });
      // The restart's own route probe (restartScript): the same Host and Caddy address.
      const route = /-H 'Host: ([^']+)' '(http:\/\/[^']+)'/.exec(create);
      if (route) {
        const [, hostname, url] = route as unknown as [string, string, string];
        routes.push({ what: `route https://${hostname}${new URL(url).pathname}`, unit, hostname, url, healthy: "below-500" });
        if (unit === "paperclip.service") {
          const probe = `${/^http:\/\/[^/]+/.exec(url)![0]}${PAPERCLIP_HEALTH.path}`;
          routes.push({
            what: `Paperclip's probe https://${hostname}${PAPERCLIP_HEALTH.path}`,
            unit,
            hostname,
            url: probe,
            healthy: "200",
          });
        }
      }
    }
  }
  return {
    files: files.sort((a, b) => a.path.localeCompare(b.path)),
    units: units.sort((a, b) => a.unit.localeCompare(b.unit)),
    routes: routes.sort((a, b) => a.what.localeCompare(b.what)),
    ...(backupProgram === undefined ? {} : { backupProgram }),
  };
}

/**
 * A read-only script: one line per file (`file <i> <sha256|missing>`), unit, health check and route
 * (`route <i> <HTTP status>`, 000 when nothing answers), then the backup program's `freshness` as
 * `backup <exit status>` and one `backup-line` per line it printed.
 */
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
    ...(expected.routes.length > 0
      ? [
          `r() { echo "route $1 $(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Host: $2" "$3" || true)"; }`,
          ...expected.routes.map((route, i) => `r ${i} ${shellQuote(route.hostname)} ${shellQuote(route.url)}`),
        ]
      : []),
    ...(expected.backupProgram === undefined
      ? []
      : [
          `if [ -x "$HOME"/${shellQuote(expected.backupProgram)} ]; then`,
          `  out="$("$HOME"/${shellQuote(expected.backupProgram)} freshness 2>&1)"; echo "backup $?"`,
          `  printf '%s\\n' "$out" | sed 's/^/backup-line /'`,
          "else echo 'backup missing'; fi",
        ]),
    "",
  ].join("\n");
}

/** The drift the probe's output shows, for the stack `stack`. */
export function hostDrift(expected: ExpectedHost, output: string, stack: string): Drift[] {
  const seen = new Map<string, string>();
  const backupLines: string[] = [];
  for (const line of output.split("\n")) {
    if (line.startsWith("backup-line ")) {
      if (line.trim() !== "backup-line") backupLines.push(line.slice("backup-line ".length));
      continue;
    }
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
  expected.routes.forEach((route, i) => {
    const code = seen.get(`route ${i}`);
    const ok = route.healthy === "200" ? code === "200" : code !== undefined && /^[1-4]\d\d$/.test(code);
    if (ok) return;
    drift.push({
      what: route.what,
      found: code === undefined ? "not reported" : code === "000" || code === "" ? "Caddy does not answer" : `HTTP ${code} through Caddy`,
      fix: `curl -H 'Host: ${route.hostname}' ${route.url} on the host; systemctl --user status ${route.unit} caddy.service; journalctl --user -u ${route.unit} -n 50`,
    });
  });
  if (expected.backupProgram !== undefined) {
    const status = /^backup (\d+|missing)$/m.exec(output)?.[1] ?? "not reported";
    if (status !== "0") {
      const stale = backupLines.filter((line) => !line.startsWith("OK"));
      drift.push({
        what: "backups",
        found:
          status === "missing"
            ? `~/${expected.backupProgram} is missing`
            : stale.length > 0
              ? stale.map((line) => line.replace(/\s+/g, " ")).join("; ")
              : `freshness exited ${status}`,
        fix: `run ~/${expected.backupProgram} backup <service> (or read its timer: systemctl --user list-timers 'harness-backup-*'); exit 69, 77 and 78 are explained in docs/backups.md`,
      });
    }
  }
  return drift;
}
