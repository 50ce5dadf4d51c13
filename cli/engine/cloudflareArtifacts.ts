/**
 * What the Cloudflare edge renders, recovered from its leaves like the host files: the D1 migration
 * scripts (shellchecked by `check`) and the Tunnel's ingress configuration (for reading and diffing).
 */
import { migratedDatabase } from "../../components/cloudflare/d1Migrations";
import type { ArtifactExtractor } from "./artifacts";
import { plainValue } from "./redact";

/** The script a `command:local:Command` runs to apply a D1 database's migrations. */
export const d1MigrationScriptArtifacts: ArtifactExtractor = (resource) => {
  if (resource.type !== "command:local:Command") return [];
  const script = plainValue(resource.inputs.create);
  const database = migratedDatabase(typeof script === "string" ? script : undefined);
  if (database === undefined || typeof script !== "string") return [];
  return [{ path: `cloudflare/d1/${database}/apply-migrations.sh`, kind: "shell", content: script, resource: resource.urn }];
};

/** The remotely-managed configuration of a Tunnel (its ingress rules, catch-all last). */
export const tunnelConfigArtifacts: ArtifactExtractor = (resource) => {
  if (resource.type !== "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig") return [];
  const config = plainValue(resource.inputs.config);
  if (config === undefined) return [];
  return [
    {
      path: `cloudflare/tunnel/${resource.name}.json`,
      kind: "json",
      content: `${JSON.stringify(config, null, 2)}\n`,
      resource: resource.urn,
    },
  ];
};
