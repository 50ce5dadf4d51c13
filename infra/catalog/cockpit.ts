import { renderCockpitConf } from "../../components/cockpit/renderCockpitConf";
import type { ServiceDefinition } from "./types";

const PORT = 9090;
/** Cockpit's web service image; its maker publishes it as :latest only. */
export const COCKPIT_IMAGE = "quay.io/cockpit/ws:latest";

/**
 * Cockpit's web service, the operator's day-one admin UI. Privileged, in the host's PID namespace,
 * with the user's Podman socket (seeds). Caddy reaches it by container name over their edge network:
 * a rootless container cannot reach a port the host binds on 127.0.0.1 through
 * host.containers.internal (Podman keeps the host's loopback out of containers), so the seeds'
 * `host.containers.internal:9090` route could not work.
 */
export const cockpit: ServiceDefinition = (context) => ({
  name: "cockpit",
  description: "Cockpit web admin",
  // Pinned by the operator's digest when given (no digest is established offline: docs/fedora.md §Cockpit).
  image: context.settings.cockpitImageDigest === undefined ? COCKPIT_IMAGE : `${COCKPIT_IMAGE}@${context.settings.cockpitImageDigest}`,
  floatingTagReason:
    "Cockpit publishes cockpit/ws as :latest only; it follows the host's Cockpit, with a slow cadence and strong compatibility (seeds). Pin it with cockpitImageDigest.",
  // Not published on the host: only through Caddy, behind Access (docs/fedora.md §Networks).
  ports: [{ container: PORT, posture: "cloudflared", purpose: "admin UI" }],
  route: { subdomain: "cockpit", upstream: { port: PORT } },
  configFiles: [{ name: "cockpit.conf", mountPath: "/etc/cockpit/cockpit.conf", content: renderCockpitConf(context.hostname("cockpit")) }],
  volumes: [
    // Not relabelled: the socket belongs to the user's podman.socket, and a privileged container runs
    // without SELinux separation anyway.
    { kind: "host", hostPath: "%t/podman/podman.sock", mountPath: "/run/podman/podman.sock", selinux: "none" },
  ],
  podmanArgs: ["--privileged", "--pid=host"],
  internet: "its login sessions reach the host, as before segmentation; not narrowed without a host to try it on",
  restart: "always",
});
