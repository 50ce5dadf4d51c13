import { provided } from "./secretValue";
import type { ServiceDefinition } from "./types";

/**
 * The Tunnel's connector: the host's cloudflared (installed with the host, not a container), running
 * the named tunnel whose ingress sends every public hostname to Caddy on 127.0.0.1:80.
 */
export const cloudflared: ServiceDefinition = () => ({
  kind: "host",
  name: "cloudflared",
  description: "Cloudflare Tunnel connector",
  exec: ["/usr/bin/cloudflared", "tunnel", "--no-autoupdate", "run"],
  hostExecutables: ["/usr/bin/cloudflared"],
  // `tunnel run` reads the token from TUNNEL_TOKEN: never on its command line.
  secretEnv: { TUNNEL_TOKEN: provided("cloudflare-tunnel-token") },
  dependsOn: ["caddy"],
  restart: "always",
});
