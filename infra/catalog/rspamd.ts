import { NIGHTLY } from "./backupPolicy";
import { renderRspamdDkimSigning } from "../../components/mail/renderRspamdDkimSigning";
import { DKIM_PRIVATE_KEY_SECRET, DKIM_SELECTOR, MAIL_PORTS } from "./mail";
import { provided } from "./secretValue";
import type { ServiceDefinition } from "./types";

const DATA = "/var/lib/rspamd";
const DKIM_KEY_FILE = "/run/secrets/rspamd-dkim.key";
/** The image's rspamd user and group. */
const RSPAMD_ID = 11333;

/** rspamd: spam filtering and DKIM signing, as Postfix's milter. Its web UI is for the operator only. */
export const rspamd: ServiceDefinition = (context) => ({
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
      content: renderRspamdDkimSigning({ domains: context.settings.mailDomains, keyFile: DKIM_KEY_FILE, selector: DKIM_SELECTOR }),
    },
  ],
  // The key the stack generates (components/mail/DkimKey.ts), readable by rspamd's workers only.
  secretFiles: [
    {
      name: "dkim-key",
      mountPath: DKIM_KEY_FILE,
      content: provided(DKIM_PRIVATE_KEY_SECRET),
      uid: RSPAMD_ID,
      gid: RSPAMD_ID,
      mode: "0400",
    },
  ],
  // The image runs rspamd as 11333:11333: its learned statistics and fuzzy hashes live here.
  volumes: [{ kind: "volume", name: "rspamd-data", mountPath: DATA, owner: { uid: RSPAMD_ID, gid: RSPAMD_ID } }],
  restart: "always",
  // The learned data (the DKIM key is in the stack's state, not here).
  backup: { ...NIGHTLY, kind: "files", volumes: ["rspamd-data"] },
});
