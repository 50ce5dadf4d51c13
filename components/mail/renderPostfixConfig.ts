/**
 * Postfix's main.cf and master.cf for the harness (the seeds left them unwritten). Pure and minimal:
 * - port 25 is the MX for the mail domains only: no relaying, recipients checked against Dovecot
 *   (LMTP address verification) before the message is accepted;
 * - relaying needs SASL authentication (Dovecot's auth service), on submission (587, STARTTLS
 *   required), submissions (465, implicit TLS) and an internal submission port that only the mail
 *   network reaches (Twenty, Vaultwarden); an authenticated login may send only as the addresses it
 *   owns: a mailbox as its own address (its login), a service as the address it is given;
 * - the only trusted network is the container's own loopback: trust never depends on a source
 *   address, which rootless port forwarding does not preserve;
 * - every message, submitted or handed to sendmail (the email drain), passes rspamd's milter
 *   (filtering, DKIM signing) or waits until it can, and is delivered to Dovecot over LMTP;
 * - Postfix runs in the foreground (`postfix start-fg`), unchrooted, logging to stdout.
 */

export interface HostPort {
  host: string;
  port: number;
}

export interface PostfixConfig {
  /** myhostname: the public name of the mail host (MX target, TLS certificate name). */
  hostname: string;
  /** Domains received for and allowed as senders; the first is mydomain. */
  domains: readonly string[];
  /** Dovecot's LMTP listener. */
  lmtp: HostPort;
  /** Dovecot's authentication service (SASL). */
  sasl: HostPort;
  /** rspamd's milter (proxy worker). */
  milter: HostPort;
  tls: { certificateFile: string; keyFile: string };
  /** Submission port for the services on the mail network (not published on the host). */
  internalSubmissionPort: number;
  /** The sender address each service login owns; every other address is owned by the mailbox login of that name. */
  submitterSenders: readonly { address: string; login: string }[];
  /** A copy of every message to the archive, when the archive is enabled. */
  archive?: { address: string; nextHop: HostPort };
}

export interface PostfixFiles {
  mainCf: string;
  masterCf: string;
}

const HOST = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;
const PATH = /^\/[A-Za-z0-9._/-]+$/;
const ADDRESS = /^[a-z0-9._+-]+@[a-z0-9.-]+$/;

function check(pattern: RegExp, value: string, what: string): string {
  if (!pattern.test(value)) throw new Error(`Postfix config: invalid ${what}: ${JSON.stringify(value)}`);
  return value;
}

function checkPort(port: number, what: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Postfix config: invalid ${what} port ${port}`);
  return port;
}

const hostPort = (target: HostPort, what: string) => `${check(HOST, target.host, `${what} host`)}:${checkPort(target.port, what)}`;

type MainEntry = string | readonly [parameter: string, value: string];

function senderLoginMaps(senders: PostfixConfig["submitterSenders"]): string {
  const owned = senders.map(
    (s) => `${check(ADDRESS, s.address, "submitter address")}=${check(/^[a-z][a-z0-9-]*$/, s.login, "submitter login")}`,
  );
  // regexp (not pcre): built into every Postfix. `$$` is main.cf's literal `$`: the result is the address itself.
  const mailboxes = "regexp:{ {/(.+)/ $$1} }";
  return owned.length > 0 ? `inline:{ ${owned.join(", ")} }, ${mailboxes}` : mailboxes;
}

export function renderPostfixConfig(config: PostfixConfig): PostfixFiles {
  if (config.domains.length === 0) throw new Error("Postfix config: at least one mail domain is needed");
  const domains = config.domains.map((d) => check(HOST, d, "domain"));
  const senderDomains = `inline:{ ${domains.map((d) => `${d}=OK`).join(", ")} }`;

  const main: MainEntry[] = [
    ["compatibility_level", "3.6"],
    ["myhostname", check(HOST, config.hostname, "hostname")],
    ["mydomain", domains[0]!],
    ["myorigin", "$mydomain"],
    ["inet_interfaces", "all"],
    ["inet_protocols", "ipv4"],
    ["maillog_file", "/dev/stdout"],
    "",
    "# Nothing is delivered locally: the mailboxes live in Dovecot.",
    ["mydestination", ""],
    ["local_recipient_maps", ""],
    ["local_transport", "error:5.1.1 local delivery is disabled"],
    ["alias_maps", ""],
    ["alias_database", ""],
    ["virtual_mailbox_domains", domains.join(" ")],
    ["virtual_transport", `lmtp:inet:${hostPort(config.lmtp, "LMTP")}`],
    "# Container names resolve through the system resolver (Podman's DNS), not only DNS proper.",
    ["lmtp_host_lookup", "dns, native"],
    ["smtp_host_lookup", "dns, native"],
    "",
    "# Only the container's own loopback is trusted; everyone else authenticates to relay.",
    ["mynetworks", "127.0.0.0/8"],
    ["smtpd_helo_required", "yes"],
    ["smtpd_relay_restrictions", "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination"],
    ["smtpd_recipient_restrictions", "permit_mynetworks, permit_sasl_authenticated, reject_unverified_recipient"],
    "# Verification probes ask Dovecot over LMTP; their cache stays in memory. A mailbox Dovecot does not",
    "# have is a permanent 550, not the default 450 that makes senders retry for days before bouncing.",
    ["address_verify_map", ""],
    ["unverified_recipient_reject_code", "550"],
    ["smtpd_sender_restrictions", "reject_non_fqdn_sender, reject_unknown_sender_domain"],
    "",
    "# SASL through Dovecot, enabled on the submission services only (master.cf).",
    ["smtpd_sasl_type", "dovecot"],
    ["smtpd_sasl_path", `inet:${hostPort(config.sasl, "SASL")}`],
    ["smtpd_sasl_auth_enable", "no"],
    ["smtpd_sasl_security_options", "noanonymous"],
    ["smtpd_tls_auth_only", "yes"],
    "# A login sends as the addresses it owns only: a service's address belongs to its login, any other",
    "# address to the mailbox login of the same name (first table that answers wins); and in the mail domains only.",
    ["smtpd_sender_login_maps", senderLoginMaps(config.submitterSenders)],
    [
      "harness_submission_sender_restrictions",
      `reject_non_fqdn_sender, reject_sender_login_mismatch, check_sender_access ${senderDomains}, reject`,
    ],
    ["harness_submission_client_restrictions", "permit_sasl_authenticated, reject"],
    "",
    "# rspamd filters and DKIM-signs SMTP mail and mail handed to sendmail (the email drain).",
    ["smtpd_milters", `inet:${hostPort(config.milter, "milter")}`],
    ["non_smtpd_milters", "$smtpd_milters"],
    "# rspamd down: SMTP clients are told to retry (4xx) and sendmail's mail waits in the maildrop, so",
    "# nothing leaves unsigned or enters unscanned (Postfix's own default, written out).",
    ["milter_default_action", "tempfail"],
    ["milter_protocol", "6"],
    "",
    "# TLS: opportunistic on port 25 and outbound, required for authentication.",
    [
      "smtpd_tls_chain_files",
      `${check(PATH, config.tls.keyFile, "TLS key path")}, ${check(PATH, config.tls.certificateFile, "TLS certificate path")}`,
    ],
    ["smtpd_tls_security_level", "may"],
    ["smtpd_tls_protocols", ">=TLSv1.2"],
    ["smtpd_tls_mandatory_protocols", ">=TLSv1.2"],
    ["smtp_tls_security_level", "may"],
  ];
  if (config.archive) {
    const domain = config.archive.address.split("@")[1]!;
    main.push(
      "",
      "# The archive (Piler) receives a copy of every message.",
      ["always_bcc", check(ADDRESS, config.archive.address, "archive address")],
      // Brackets: deliver to that host, without an MX lookup.
      [
        "transport_maps",
        `inline:{ ${domain}=smtp:[${check(HOST, config.archive.nextHop.host, "archive host")}]:${checkPort(config.archive.nextHop.port, "archive")} }`,
      ],
    );
  }

  const mainCf = [
    "# Managed by paperclip-harness (Pulumi). Local edits are overwritten on the next deployment.",
    ...main.map((entry) => (typeof entry === "string" ? entry : `${entry[0]} =${entry[1] === "" ? "" : ` ${entry[1]}`}`)),
    "",
  ].join("\n");

  const submission = (syslogName: string, options: readonly string[]) => [
    `  -o syslog_name=postfix/${syslogName}`,
    "  -o smtpd_sasl_auth_enable=yes",
    "  -o smtpd_client_restrictions=$harness_submission_client_restrictions",
    "  -o smtpd_sender_restrictions=$harness_submission_sender_restrictions",
    "  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject",
    "  -o smtpd_recipient_restrictions=",
    ...options.map((o) => `  -o ${o}`),
  ];
  const service = (name: string, type: string, priv: string, unpriv: string, wakeup: string, maxproc: string, command: string) =>
    `${name.padEnd(10)} ${type.padEnd(5)} ${priv.padEnd(7)} ${unpriv.padEnd(7)} n       ${wakeup.padEnd(7)} ${maxproc.padEnd(7)} ${command}`;

  const masterCf = [
    "# Managed by paperclip-harness (Pulumi). Local edits are overwritten on the next deployment.",
    "# Nothing is chrooted: the container is the isolation boundary.",
    "# service  type  private unpriv  chroot  wakeup  maxproc command + args",
    service("smtp", "inet", "n", "-", "-", "-", "smtpd"),
    service("submission", "inet", "n", "-", "-", "-", "smtpd"),
    ...submission("submission", ["smtpd_tls_security_level=encrypt"]),
    service("submissions", "inet", "n", "-", "-", "-", "smtpd"),
    ...submission("submissions", ["smtpd_tls_wrappermode=yes", "smtpd_tls_security_level=encrypt"]),
    "# Reachable on the mail network only (never published): TLS is not offered, authentication still required.",
    service(String(checkPort(config.internalSubmissionPort, "internal submission")), "inet", "n", "-", "-", "-", "smtpd"),
    ...submission("internal-submission", ["smtpd_tls_security_level=none", "smtpd_tls_auth_only=no"]),
    service("pickup", "unix", "n", "-", "60", "1", "pickup"),
    service("cleanup", "unix", "n", "-", "-", "0", "cleanup"),
    service("qmgr", "unix", "n", "-", "300", "1", "qmgr"),
    service("tlsmgr", "unix", "-", "-", "1000?", "1", "tlsmgr"),
    service("rewrite", "unix", "-", "-", "-", "-", "trivial-rewrite"),
    service("bounce", "unix", "-", "-", "-", "0", "bounce"),
    service("defer", "unix", "-", "-", "-", "0", "bounce"),
    service("trace", "unix", "-", "-", "-", "0", "bounce"),
    service("verify", "unix", "-", "-", "-", "1", "verify"),
    service("flush", "unix", "n", "-", "1000?", "0", "flush"),
    service("proxymap", "unix", "-", "-", "-", "-", "proxymap"),
    service("proxywrite", "unix", "-", "-", "-", "1", "proxymap"),
    service("smtp", "unix", "-", "-", "-", "-", "smtp"),
    service("relay", "unix", "-", "-", "-", "-", "smtp"),
    "  -o syslog_name=postfix/$service_name",
    service("showq", "unix", "n", "-", "-", "-", "showq"),
    service("error", "unix", "-", "-", "-", "-", "error"),
    service("retry", "unix", "-", "-", "-", "-", "error"),
    service("discard", "unix", "-", "-", "-", "-", "discard"),
    service("lmtp", "unix", "-", "-", "-", "-", "lmtp"),
    service("anvil", "unix", "-", "-", "-", "1", "anvil"),
    service("scache", "unix", "-", "-", "-", "1", "scache"),
    "# maillog_file needs the logging service.",
    service("postlog", "unix-dgram", "n", "-", "-", "1", "postlogd"),
    "",
  ].join("\n");

  return { mainCf, masterCf };
}
