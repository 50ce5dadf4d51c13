/**
 * The derived Paperclip image: upstream's image plus the `pi` coding-agent CLI, which Paperclip's
 * `pi_local` adapter runs and upstream does not ship. One layer, so a bump of either piece is a
 * one-line change; built on the host by a Quadlet `.build` unit.
 */

/** The npm package whose `pi` binary the pi_local adapter runs (pi-mono's coding agent). */
export const PI_PACKAGE = "@mariozechner/pi-coding-agent";
/** Pinned: the derived image's tag names it. */
export const PI_VERSION = "0.73.1";

export function renderPaperclipContainerfile(baseImage: string, piVersion: string = PI_VERSION): string {
  if (!/^[a-z0-9.:/@_-]+$/i.test(baseImage)) throw new Error(`Containerfile: invalid base image ${baseImage}`);
  if (!/^\d+\.\d+\.\d+$/.test(piVersion)) throw new Error(`Containerfile: invalid pi version ${piVersion}`);
  return [
    "# Managed by paperclip-harness (Pulumi): upstream Paperclip plus the pi coding-agent CLI.",
    `FROM ${baseImage}`,
    // Upstream's image runs its build steps as root; the harness runs the server as node (1000).
    `RUN npm install --global --no-fund --no-audit ${PI_PACKAGE}@${piVersion} \\`,
    "  && npm cache clean --force \\",
    "  && rm -rf /tmp/*",
    `LABEL io.paperclip-harness.pi-version="${piVersion}"`,
    "",
  ].join("\n");
}
