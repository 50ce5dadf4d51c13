import { NIGHTLY } from "./backupPolicy";
import { renderRspamdDkimSigning } from "../../components/mail/renderRspamdDkimSigning";
import { MAIL_PORTS } from "./mail";
import type { ServiceDefinition } from "./types";

const DATA = "/var/lib/rspamd";

/** rspamd: spam filtering and DKIM signing, as Postfix's milter. Its web UI is for the operator only. */
export const rspamd: ServiceDefinition = () => ({
  name: "rspamd",
  description: "rspamd spam filter and DKIM signer",
  image: "docker.io/rspamd/rspamd:3.9.1",
  ports: [
    { container: MAIL_PORTS.milter, posture: "internal", purpose: "milter for Postfix" },
    // Not published: the operator reaches it over the tailnet, through an SSH tunnel to the host.
    { container: 11334, posture: "tailscale", purpose: "web UI (operator break-glass)" },
  ],
  internet: "DNS blocklists and fuzzy-hash checks",
  configFiles: [
    {
      name: "dkim_signing.conf",
      mountPath: "/etc/rspamd/local.d/dkim_signing.conf",
      content: renderRspamdDkimSigning({ keyDirectory: `${DATA}/dkim`, selector: "dkim" }),
    },
  ],
  // The image runs rspamd as 11333:11333; the DKIM keys live here.
  volumes: [{ kind: "volume", name: "rspamd-data", mountPath: DATA, owner: { uid: 11333, gid: 11333 } }],
  restart: "always",
  // The DKIM private keys: a new key means republishing every domain's DNS record.
  backup: { ...NIGHTLY, kind: "files", volumes: ["rspamd-data"] },
});
