/**
 * Where a process in a test namespace sends requests, recorded (issue 13, 4b): every IPv4 address
 * is routed to loopback (`ip route add local 0.0.0.0/0 dev lo`, so the nameserver of
 * /etc/resolv.conf, whatever it is, is local too), and test/support/outboundRecorderServer.mjs answers
 * DNS with one address for every name and listens on the given ports. A name in /etc/hosts that
 * maps to 127.0.0.1 reaches the same listeners. HTTPS is terminated with a certificate of a CA made
 * here, which clients trust through `NODE_EXTRA_CA_CERTS` / `SSL_CERT_FILE` (`trust`); a client that
 * does not trust it is still recorded by the name it asked for.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NamespaceMachine, NamespaceProcess } from "./paperclipNamespace";

export interface OutboundRecord {
  kind: "dns" | "http" | "tls" | "tls-refused" | "listen-failed" | "ready";
  name?: string;
  type?: number;
  port?: number;
  /** The TLS server name an HTTP request came in under; absent for plain HTTP. */
  tls?: string;
  method?: string;
  target?: string;
  headers?: Record<string, string>;
  reason?: string;
}

const SCRIPT = join(__dirname, "outboundRecorderServer.mjs");

export class OutboundRecorder {
  private readonly log: string;
  private readonly caKey: string;
  readonly caCertificate: string;
  private readonly gate: string;
  /** The CA and the log are kept in the machine's directory; its cleanup() stops the recorder. */
  constructor(private readonly machine: NamespaceMachine) {
    const dir = machine.root;
    this.log = join(dir, "outbound.jsonl");
    this.caKey = join(dir, "outbound-ca.key");
    this.caCertificate = join(dir, "outbound-ca.pem");
    this.gate = join(dir, "outbound-ready");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        this.caKey,
        "-out",
        this.caCertificate,
        "-days",
        "2",
        "-subj",
        "/CN=paperclip-harness outbound recorder",
      ],
      { stdio: "ignore" },
    );
    writeFileSync(this.log, "");
  }

  /** The variables that make Node, Bun and OpenSSL clients trust the recorder's certificates. */
  get trust(): Record<string, string> {
    return { NODE_EXTRA_CA_CERTS: this.caCertificate, SSL_CERT_FILE: this.caCertificate };
  }

  /**
   * `argv`, started only once the recorder listens (attach), so that nothing it sends at start-up
   * goes unrecorded; a test machine starts it, then attaches the recorder to it.
   */
  gated(argv: readonly string[]): string[] {
    return ["sh", "-c", 'while [ ! -e "$0" ]; do sleep 0.05; done; exec "$@"', this.gate, ...argv];
  }

  /** Routes every address of `proc`'s network namespace to loopback and starts listening there. */
  async attach(proc: NamespaceProcess, ports: readonly number[]): Promise<void> {
    const pid = await namespacePidOf(proc);
    // The namespace's own set-up brings loopback up first; until then the route cannot be added.
    const routeDeadline = Date.now() + 10_000;
    for (;;) {
      const route = spawnSync(
        "nsenter",
        ["--target", String(pid), "--net", "--", "ip", "route", "add", "local", "0.0.0.0/0", "dev", "lo"],
        {
          encoding: "utf8",
        },
      );
      if (route.status === 0) break;
      if (Date.now() > routeDeadline) throw new Error(`outbound recorder: cannot route every address to loopback: ${route.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const child = spawn(
      "nsenter",
      ["--target", String(pid), "--net", "--", process.execPath, SCRIPT, this.log, this.caCertificate, this.caKey, ...ports.map(String)],
      { stdio: ["ignore", "ignore", "pipe"], detached: true },
    );
    this.machine.track(child);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const deadline = Date.now() + 20_000;
    while (!this.records().some((r) => r.kind === "ready")) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`outbound recorder did not start: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const failed = this.records().filter((r) => r.kind === "listen-failed");
    if (failed.length > 0) throw new Error(`outbound recorder cannot listen: ${JSON.stringify(failed)}`);
    writeFileSync(this.gate, "");
  }

  records(): OutboundRecord[] {
    if (!existsSync(this.log)) return [];
    return readFileSync(this.log, "utf8")
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as OutboundRecord);
  }
}

/** A URL's port, its scheme's default when it names none. */
function portOf(url: URL): number {
  return Number(url.port || (url.protocol === "https:" ? 443 : 80));
}

/** `host:port` of a URL, as destinationOf names where a request went. */
export function addressOf(url: URL): string {
  return `${url.hostname}:${portOf(url)}`;
}

/** The ports the recorder listens on: the web's, the egress proxy's (3128), common ones, and the gateway's. */
export function recorderPorts(gateway: string): number[] {
  return [...new Set([80, 443, 3128, 4000, 8080, 8443, portOf(new URL(gateway))])];
}

/** The pid inside `proc`'s namespace, once unshare has forked it. */
async function namespacePidOf(proc: NamespaceProcess): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const pid = proc.namespacePid();
      if (Number.isInteger(pid) && pid > 0) return pid;
    } catch {
      // not forked yet
    }
    if (Date.now() > deadline) throw new Error("outbound recorder: the namespace never started");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Where a recorded request went: the CONNECT target, a proxy request's URL, or its Host (host:port). */
export function destinationOf(record: OutboundRecord): string | undefined {
  if (record.kind === "dns") return record.name;
  if (record.kind === "tls") return `${record.name ?? "(no server name)"}:${record.port}`;
  if (record.kind !== "http") return undefined;
  if (record.method === "CONNECT") return record.target;
  if (/^https?:\/\//.test(record.target ?? "")) return addressOf(new URL(record.target!));
  const host = record.headers?.host ?? "(no Host)";
  return host.includes(":") ? host : `${host}:${record.tls ? 443 : 80}`;
}

/** Request headers that carry a credential. */
const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie"];

export interface OutboundRule {
  /** The gateway as the target's environment names it (e.g. `http://litellm:4000`). */
  gateway: URL;
  /** The one credential allowed, and only to the gateway. */
  gatewayKey: string;
  /** Every secret of the deployment (name → value): none may travel anywhere else. */
  secrets: Record<string, string>;
  /**
   * Paperclip's own API, where agents' tools call back with the run's own token (minted per run, so
   * no deployment secret): a destination allowed beside the gateway, with any credential but a secret.
   */
  paperclip?: URL;
  /**
   * The egress proxy of the agents' environment (`HTTPS_PROXY`): looking its name up is allowed;
   * what is asked of it is judged by the destination the request names (CONNECT target, absolute URL).
   */
  proxy?: string;
  /** Judge credentials and secrets only, not destinations. */
  credentialsOnly?: boolean;
}

/** What the records show against the rule: the gateway only, and only the gateway key, to it only. */
export function outboundProblems(records: readonly OutboundRecord[], rule: OutboundRule): string[] {
  const gatewayAddress = addressOf(rule.gateway);
  const paperclip = rule.paperclip ? addressOf(rule.paperclip) : undefined;
  const names = new Set([
    rule.gateway.hostname,
    ...[rule.paperclip, rule.proxy ? new URL(rule.proxy) : undefined].flatMap((url) => (url ? [url.hostname] : [])),
  ]);
  const problems: string[] = [];
  for (const record of records) {
    const destination = destinationOf(record);
    const toPaperclip = destination !== undefined && destination === paperclip;
    const elsewhere = destination !== gatewayAddress && !toPaperclip && rule.credentialsOnly !== true;
    if (record.kind === "dns") {
      if (!names.has(record.name!) && rule.credentialsOnly !== true) problems.push(`DNS lookup of ${record.name}`);
      continue;
    }
    if (record.kind === "tls") {
      if (elsewhere) problems.push(`TLS to ${destination}`);
      continue;
    }
    if (record.kind !== "http") continue;
    const request = `${record.method} ${record.target} (to ${destination})`;
    if (elsewhere) problems.push(`request ${request}`);
    for (const [header, value] of Object.entries(record.headers ?? {})) {
      for (const [secret, secretValue] of Object.entries(rule.secrets)) {
        if (secretValue === rule.gatewayKey && destination === gatewayAddress) continue;
        if (value.includes(secretValue)) problems.push(`${header} of ${request} holds ${secret}`);
      }
      if (!CREDENTIAL_HEADERS.includes(header) || toPaperclip) continue;
      if (destination !== gatewayAddress) problems.push(`credential ${header} sent with ${request}`);
      else if (value.replace(/^Bearer\s+/i, "") !== rule.gatewayKey) problems.push(`${header} of ${request} is not the gateway key`);
    }
  }
  return [...new Set(problems)];
}
