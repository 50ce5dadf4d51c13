/**
 * A temporary Fly machine for running the rendered start.sh without Fly: a directory holding what
 * the real machine keeps in /paperclip (the volume), the image (its seed config.json), /var/run and
 * the doubles of components/fly/fixtures/bin (tailscale, tailscaled, runuser, chown).
 */
import { chmodSync, copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const FIXTURES = join(__dirname, "..", "fixtures", "bin");

/** Makes the machine's directories under `root`, copies in the doubles and writes the image's seed config and start.sh. */
export function prepareTemporaryFlyMachine(root: string, files: { "config.json": string; "start.sh": string }): void {
  const path = (...parts: string[]) => join(root, ...parts);
  for (const dir of ["bin", "volume", "image", "logs", "run"]) mkdirSync(path(dir));
  for (const fake of readdirSync(FIXTURES)) {
    copyFileSync(join(FIXTURES, fake), path("bin", fake));
    chmodSync(path("bin", fake), 0o755);
  }
  writeFileSync(path("image", "config.json"), files["config.json"]);
  writeFileSync(path("start.sh"), files["start.sh"]);
}

/** Where this machine keeps what the real one keeps in /paperclip, /etc and /var/run; the doubles first on PATH. */
export function temporaryFlyMachineEnvironment(root: string): Record<string, string> {
  const path = (...parts: string[]) => join(root, ...parts);
  const volume = path("volume");
  return {
    HOME: volume,
    PAPERCLIP_HOME: volume,
    PAPERCLIP_CONFIG: join(volume, "instances", "default", "config.json"),
    HARNESS_SEED_CONFIG: path("image", "config.json"),
    HARNESS_TAILSCALE_STATE_DIR: join(volume, "tailscale"),
    HARNESS_PG_DATA: join(volume, "postgres"),
    HARNESS_PG_SOCKET_DIR: path("run", "postgresql"),
    FAKE_LOG_DIR: path("logs"),
    PATH: [path("bin"), dirname(process.execPath), "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"].join(":"),
    LANG: "C.UTF-8",
  };
}
