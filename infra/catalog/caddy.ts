import { renderCaddyfile } from "../../components/caddy/renderCaddyfile";
import type { ServiceDefinition } from "./types";

/** The reverse proxy cloudflared hands every public hostname to; its routes come from the catalogue. */
export const caddy: ServiceDefinition = (context) => ({
  name: "caddy",
  description: "Caddy reverse proxy for every public hostname",
  image: "docker.io/library/caddy:2-alpine",
  // Binding 127.0.0.1:80 as a rootless user needs net.ipv4.ip_unprivileged_port_start <= 80 (checked on the host).
  ports: [{ container: 80, host: 80, posture: "internal", purpose: "HTTP from cloudflared" }],
  // Each routed container: an edge network per public service (docs/fedora.md §Networks). Routes
  // to a program on the host need none.
  reaches: context.routes.filter((route) => route.upstream.startsWith(`${route.service}:`)).map((route) => route.service),
  configFiles: [
    {
      name: "Caddyfile",
      mountPath: "/etc/caddy/Caddyfile",
      // Routes are served only to connections from Caddy's own addresses: the Tunnel's, through
      // Podman's port forwarding (docs/fedora.md §Networks).
      content: renderCaddyfile(
        context.routes.map((route) => ({ hostname: route.hostname, upstream: route.upstream, paths: route.paths })),
        { tunnelSources: context.addressesOf("caddy") },
      ),
    },
  ],
  volumes: [{ kind: "volume", name: "caddy-data", mountPath: "/data" }],
  health: { command: ["CMD", "wget", "-q", "-O", "/dev/null", "http://localhost:80/"], interval: "30s", timeout: "5s", retries: 3 },
  restart: "always",
});
