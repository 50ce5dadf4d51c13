/**
 * The mail stack run by the real daemons: Debian's Postfix, Dovecot and rspamd on the files the fedora
 * plan renders, in a private user + mount + network namespace (test/support/privateNamespace.ts) where
 * only loopback exists, with python3's smtplib/imaplib as clients and python3-dkim as the verifier.
 *
 * The rendered files are mounted at the paths the containers use (/etc/postfix/main.cf,
 * /etc/dovecot/dovecot.conf, /etc/rspamd/local.d/dkim_signing.conf, /run/secrets/…, /srv/mail,
 * /var/lib/rspamd), so the configuration runs unchanged. What differs from the containers, all of it:
 * - the container names the configs use (`dovecot`, `rspamd`) resolve to 127.0.0.1 through a DNS
 *   responder on 127.0.0.1:53 (testSupport/loopbackDns.py), as Podman's DNS resolves them; the mail host
 *   is 192.0.2.10 and the clients connect from 192.0.2.20 (both on lo), outside Postfix's mynetworks and
 *   not Dovecot's own address, which it would count as a secured connection;
 * - /etc/postfix holds Debian's own distribution files (postfix-files, dynamicmaps.cf) beside ours, as
 *   the image holds its own; the Postfix spool, /var/lib/{postfix,dovecot} and /run are private;
 * - the DKIM key is made here (Node's crypto, RSA 2048, PKCS#1 PEM as the tls provider gives it) instead
 *   of by the stack's DkimKey, and its record is made from it by the function the stack publishes it
 *   with (dkimTxtContent); the verifier is handed exactly that content. Its secret file is owned by
 *   Debian's `_rspamd` instead of the image's 11333 (the mode is the unit's);
 * - port 25's forger connects from 10.89.1.1 as well (also on lo): the private address rootless
 *   Podman's port forwarder gives inbound connections, which rspamd counts as local;
 * - the sendmail wrapper's `/usr/bin/podman` (`podman exec -i postfix`) is a stand-in that enters this
 *   namespace with nsenter: the only path substitution, the one hop Podman would make;
 * - that DNS knows no other name, so port-25 senders are in a domain Postfix receives for
 *   (reject_unknown_sender_domain skips those): a foreign sender's domain would get 450 here.
 * Everything runs as root inside a user namespace that maps every uid to itself: the daemons start as
 * root and drop to postfix, dovecot/dovenull, vmail (1000) and _rspamd as on a host; none refused.
 *
 * Without root or the Debian packages the test is skipped loudly, and FAILS when CI=true (.ci/run
 * installs postfix, dovecot-core, dovecot-imapd, dovecot-lmtpd, rspamd, python3-dkim).
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, chown, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDrain, writeDrainBundle } from "../../apps/email-drain/testSupport/drainProcess";
import { FakeQueuesApi } from "../../apps/email-drain/testSupport/fakeQueuesApi";
import { DKIM_PRIVATE_KEY_SECRET } from "../../infra/catalog/mail";
import { resolveSecret } from "../../infra/catalog/secretValue";
import { dkimTxtContent } from "./dkimTxtRecord";
import { planFedora, type FedoraStackPlan } from "../../infra/targets/fedora";
import { fedoraConfig } from "../../test/support/fedoraConfig";
import { P } from "../../test/support/fedoraStack";
import { type Daemon, PrivateNamespace, privateNamespaceUnavailableReason } from "../../test/support/privateNamespace";
import { signAsSync, TEST_PRODUCER_KEYS } from "../../apps/email-drain/testSupport/producerKeys";

const run = promisify(execFile);
const PYTHON = "/usr/bin/python3";
const CLIENT = join(__dirname, "testSupport", "mailClient.py");
const NEEDED = [
  "/usr/sbin/postfix",
  "/usr/sbin/dovecot",
  "/usr/lib/dovecot/imap",
  "/usr/lib/dovecot/lmtp",
  "/usr/bin/rspamd",
  "/usr/bin/rspamadm",
  "/usr/bin/doveadm",
  "/usr/lib/python3/dist-packages/dkim/__init__.py",
];
const missing = NEEDED.filter((path) => !existsSync(path));
const unavailable =
  privateNamespaceUnavailableReason() ??
  (missing.length > 0 ? `Debian's mail packages are not installed (missing ${missing.join(", ")})` : undefined);

const DOMAIN = "sodimo.eu";
const HOSTNAME = `mail.${DOMAIN}`;
const USERS = {
  ceo: { address: `ceo@${DOMAIN}`, password: "ceo-Pa55-word" },
  ops: { address: `ops@${DOMAIN}`, password: "ops-Pa55-word" },
};

if (unavailable !== undefined && process.env.CI !== "true") {
  console.warn(`\n!!! SKIPPED: the mail stack's acceptance test (real Postfix, Dovecot, rspamd): ${unavailable}.\n`);
}

describe("the mail stack, run by the real daemons on the rendered configs", { timeout: 180_000 }, () => {
  if (unavailable !== undefined) {
    if (process.env.CI === "true") it("has root and Debian's mail daemons", () => expect.fail(`cannot run: ${unavailable}`));
    else it.skip(`SKIPPED LOUDLY: ${unavailable}`, () => undefined);
    return;
  }

  let root: string;
  let ns: PrivateNamespace;
  let plan: FedoraStackPlan;
  let dkimTxt: string;
  const daemons: Record<string, Daemon> = {};
  const passwords = new Map<string, string>();
  const logs: (() => string)[] = [];

  beforeAll(async () => {
    await pulumi.runtime.setMocks(
      { newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs },
      "paperclip-harness",
      "fedora",
    );
    root = await mkdtemp(join(tmpdir(), "mail-stack-"));
    await chmod(root, 0o755);

    // The documented mailUsers format: `address:` + what doveadm pw prints (SHA512-CRYPT, and its bcrypt default).
    const sha512 = (await run("doveadm", ["pw", "-s", "SHA512-CRYPT", "-p", USERS.ceo.password])).stdout.trim();
    const bcrypt = (await run("doveadm", ["pw", "-p", USERS.ops.password])).stdout.trim();
    await run("openssl", [
      ..."req -x509 -newkey rsa:2048 -nodes -days 2 -subj".split(" "),
      `/CN=${HOSTNAME}`,
      "-addext",
      `subjectAltName=DNS:${HOSTNAME}`,
      "-keyout",
      join(root, "tls-key.pem"),
      "-out",
      join(root, "tls-cert.pem"),
    ]);
    const config = fedoraConfig({
      [`${P}mailUsers`]: `# pasted from doveadm pw\n${USERS.ceo.address}:${sha512}\n${USERS.ops.address}:${bcrypt}\n`,
      [`${P}mailTlsCertificate`]: await readFile(join(root, "tls-cert.pem"), "utf8"),
      [`${P}mailTlsPrivateKey`]: await readFile(join(root, "tls-key.pem"), "utf8"),
    });
    plan = planFedora(config, { hostPrograms: { emailDrain: () => "#!/usr/bin/env node\n" } });
    // The DKIM key, and its record by the function the stack publishes it with (DkimKey → MailDns).
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const dkimKey = {
      privateKeyPem: pair.privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
    };
    dkimTxt = dkimTxtContent(dkimKey.publicKeyPem);
    const file = (key: string) => plan.harness.files.find((f) => f.key === key)!.content;
    const secretValue = (name: string) =>
      resolveSecret(plan.harness.secrets.find((s) => s.name === name)!.value, (leaf) => {
        if (leaf.kind === "operator") return config[leaf.key as keyof typeof config] as string;
        if (leaf.kind === "generated") {
          if (!passwords.has(leaf.name)) passwords.set(leaf.name, randomBytes(32).toString("hex"));
          return passwords.get(leaf.name)!;
        }
        if (leaf.kind === "provided" && leaf.name === DKIM_PRIVATE_KEY_SECRET) return dkimKey.privateKeyPem;
        throw new Error(`unexpected secret ${leaf.name}`);
      });

    // Files at the containers' paths, each directory mounted over its path in the namespace.
    const dirs = {
      postfix: join(root, "etc-postfix"),
      dovecot: join(root, "etc-dovecot"),
      rspamdLocal: join(root, "etc-rspamd-local.d"),
      rspamdData: join(root, "var-lib-rspamd"),
      secrets: join(root, "run-secrets"),
      mail: join(root, "srv-mail"),
      spool: join(root, "var-spool-postfix"),
      postfixData: join(root, "var-lib-postfix"),
      dovecotState: join(root, "var-lib-dovecot"),
      rspamdLog: join(root, "var-log-rspamd"),
    };
    for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
    await cp("/etc/postfix", dirs.postfix, { recursive: true });
    await writeFile(join(dirs.postfix, "main.cf"), file("postfix/main.cf"));
    await writeFile(join(dirs.postfix, "master.cf"), file("postfix/master.cf"));
    await writeFile(join(dirs.dovecot, "dovecot.conf"), file("dovecot/dovecot.conf"));
    await writeFile(join(dirs.rspamdLocal, "dkim_signing.conf"), file("rspamd/dkim_signing.conf"));
    const id = async (flag: string, name: string) => Number((await run("id", [flag, name])).stdout.trim());
    const rspamdUid = await id("-u", "_rspamd");
    const rspamdGid = await id("-g", "_rspamd");
    await chown(dirs.rspamdData, rspamdUid, rspamdGid);
    await chown(dirs.rspamdLog, rspamdUid, rspamdGid);
    await chown(dirs.postfixData, await id("-u", "postfix"), 0);

    // The Podman secrets, with the owner and mode the Quadlet units give them (Secret=…,uid=,gid=,mode=).
    for (const service of ["postfix", "dovecot", "rspamd"]) {
      const unit = file(`${service}.container`);
      for (const match of unit.matchAll(/^Secret=([^,\n]+),type=mount,target=([^,\n]+)((?:,[a-z]+=[^,\n]+)*)$/gm)) {
        const options = Object.fromEntries([...match[3]!.matchAll(/,([a-z]+)=([^,\n]+)/g)].map((m) => [m[1]!, m[2]!]));
        const path = join(dirs.secrets, match[2]!.replace(/^\/run\/secrets\//, ""));
        await writeFile(path, secretValue(match[1]!));
        // The image's rspamd (11333) is Debian's _rspamd here.
        const owner = (value: string | undefined, debian: number) => (value === "11333" ? debian : Number(value ?? 0));
        await chown(path, owner(options.uid, rspamdUid), owner(options.gid, rspamdGid));
        await chmod(path, parseInt(options.mode ?? "0444", 8));
      }
    }
    // The mail volume's owner from the plan (the image's vmail, 1000:1000).
    const dovecotService = plan.catalog.services.find((s) => s.name === "dovecot")!;
    const mailVolume = dovecotService.kind !== "host" ? dovecotService.volumes?.find((v) => v.kind === "volume") : undefined;
    const owner = mailVolume?.kind === "volume" ? mailVolume.owner : undefined;
    await chown(dirs.mail, owner?.uid ?? 1000, owner?.gid ?? 1000);

    // The containers' names resolve as Podman's DNS resolves them (Postfix asks DNS first); the mail
    // host is 192.0.2.10 and clients come from 192.0.2.20, outside mynetworks (127.0.0.0/8).
    await writeFile(join(root, "hosts"), `127.0.0.1 localhost\n::1 localhost\n192.0.2.10 ${HOSTNAME}\n`);
    await writeFile(join(root, "resolv.conf"), "nameserver 127.0.0.1\n");

    ns = await PrivateNamespace.start();
    const mounts: [string, string][] = [
      [dirs.postfix, "/etc/postfix"],
      [dirs.dovecot, "/etc/dovecot"],
      [dirs.rspamdLocal, "/etc/rspamd/local.d"],
      [dirs.rspamdData, "/var/lib/rspamd"],
      [dirs.rspamdLog, "/var/log/rspamd"],
      [dirs.spool, "/var/spool/postfix"],
      [dirs.postfixData, "/var/lib/postfix"],
      [dirs.dovecotState, "/var/lib/dovecot"],
      [join(root, "hosts"), "/etc/hosts"],
      [join(root, "resolv.conf"), "/etc/resolv.conf"],
    ];
    await ns.exec("sh", [
      "-ec",
      [
        "mount -t tmpfs tmpfs /run && mkdir -p /run/secrets /run/dovecot /run/rspamd && chown _rspamd:_rspamd /run/rspamd",
        `mount --bind ${dirs.secrets} /run/secrets`,
        `mount -t tmpfs tmpfs /srv && mkdir /srv/mail && mount --bind ${dirs.mail} /srv/mail`,
        ...mounts.map(([from, to]) => `mount --bind ${from} ${to}`),
        "ip addr add 192.0.2.10/32 dev lo && ip addr add 192.0.2.20/32 dev lo && ip addr add 10.89.1.1/32 dev lo",
      ].join("\n"),
    ]);
    const dns = ns.spawnDaemon(
      PYTHON,
      [
        join(__dirname, "testSupport", "loopbackDns.py"),
        "dovecot=127.0.0.1",
        "rspamd=127.0.0.1",
        "postfix=127.0.0.1",
        `${HOSTNAME}=192.0.2.10`,
      ],
      join(root, "dns.log"),
    );

    Object.assign(daemons, {
      rspamd: startRspamd(),
      dovecot: ns.spawnDaemon("/usr/sbin/dovecot", ["-F"], join(root, "dovecot.log")),
      postfix: ns.spawnDaemon("/usr/sbin/postfix", ["start-fg"], join(root, "postfix.log")),
    });
    logs.push(() => `--- dns\n${dns.output()}`);
    for (const name of Object.keys(daemons)) logs.push(() => `--- ${name}\n${daemons[name]!.output()}`);
    let waitingFor: number[] = [];
    await waitFor(
      () => `the daemons to listen (not yet: ${waitingFor.join(", ")})`,
      async () => {
        const exited = Object.entries(daemons).find(([, d]) => d.child.exitCode !== null);
        if (exited) throw new Error(`${exited[0]} exited ${exited[1].child.exitCode}\n${logs.map((l) => l()).join("\n")}`);
        const listening = await ns.exec("ss", ["-ltnH"]);
        waitingFor = [25, 587, 465, 10587, 143, 993, 24, 12345, 11332].filter((port) => !new RegExp(`:${port}\\s`).test(listening));
        return waitingFor.length === 0;
      },
      // rspamd 3.4 compiles its rules before it listens: a minute or more on a loaded machine.
      240_000,
    );
  }, 300_000);

  afterAll(async () => {
    await ns?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const startRspamd = () => ns.spawnDaemon("/usr/bin/rspamd", ["-f", "-u", "_rspamd", "-g", "_rspamd"], join(root, "rspamd.log"));
  const client = async (args: string[], input = "", source?: string): Promise<Record<string, unknown>> => {
    const out = await ns.exec("/usr/bin/env", [...(source ? [`MAIL_CLIENT_SOURCE=${source}`] : []), PYTHON, CLIENT, ...args], {
      input,
      timeoutMs: 90_000,
    });
    const result = JSON.parse(out) as Record<string, unknown>;
    // Failures say why in the assertion's diff.
    if (result.ok === false) console.log(`refused: ${args.slice(0, 3).join(" ")} ${JSON.stringify(result)}`);
    return result;
  };
  const imap = (port: number, mode: string, user: string, password: string) =>
    client(["imap", String(port), mode, "/run/secrets/mail-tls-cert.pem", HOSTNAME, user, password]);
  const smtp = (
    port: number,
    mode: string,
    from: string,
    to: string,
    login?: [string, string],
    subject = `test ${randomBytes(4).toString("hex")}`,
    source?: string,
  ) =>
    client(
      ["smtp", String(port), mode, "/run/secrets/mail-tls-cert.pem", HOSTNAME, from, to, ...(login ?? [])],
      message(from, to, subject),
      source,
    );
  const message = (from: string, to: string, subject: string) =>
    `From: ${from}\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: <${randomBytes(8).toString("hex")}@${DOMAIN}>\r\nDate: ${new Date().toUTCString()}\r\n\r\nHello from the acceptance test.\r\n`;
  const mailbox = (address: string) => join(root, "srv-mail", address, "Maildir", "new");
  const delivered = async (address: string, subject: string): Promise<string> => {
    let found: string | undefined;
    await waitFor(`"${subject}" in ${address}'s mailbox`, async () => {
      for (const name of await readdir(mailbox(address)).catch(() => [] as string[])) {
        const text = await readFile(join(mailbox(address), name), "utf8");
        if (text.includes(`Subject: ${subject}`)) found = text;
      }
      return found !== undefined;
    });
    return found!;
  };
  const waitFor = async (what: string | (() => string), check: () => Promise<boolean>, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}\n${logs.map((l) => l()).join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  it("mounts the hash files as the units say: root:shadow 0440, not world-readable", async () => {
    const listing = await ns.exec("stat", ["-c", "%n %U:%G %a", "/run/secrets/dovecot-mail-users", "/run/secrets/dovecot-submitters"]);
    expect(listing.trim().split("\n")).toEqual([
      "/run/secrets/dovecot-mail-users root:shadow 440",
      "/run/secrets/dovecot-submitters root:shadow 440",
    ]);
  });

  it("IMAP: a documented-format mailUsers user logs in with STARTTLS on 143 and TLS on 993; no login before TLS", async () => {
    for (const user of Object.values(USERS)) {
      expect(await imap(143, "starttls", user.address, user.password)).toMatchObject({ ok: true, selected: true });
      expect(await imap(993, "tls", user.address, user.password)).toMatchObject({ ok: true, selected: true });
    }
    const plain = await imap(143, "plain", USERS.ceo.address, USERS.ceo.password);
    expect(plain).toMatchObject({ ok: false });
    expect(plain.capabilitiesBeforeTls).toContain("LOGINDISABLED");
    expect(await imap(993, "tls", USERS.ceo.address, "wrong-password")).toMatchObject({ ok: false });
    // A submitter's SASL login has no mailbox.
    expect(await imap(993, "tls", "twenty", passwords.get("twenty-smtp-password")!)).toMatchObject({ ok: false });
  });

  it("port 25: mail for a local domain reaches the mailbox through LMTP; unknown recipient 550; no relaying", async () => {
    const subject = `inbound ${randomBytes(4).toString("hex")}`;
    expect(await smtp(25, "starttls", "partner@yallafood.eu", USERS.ceo.address, undefined, subject)).toMatchObject({ ok: true });
    const message = await delivered(USERS.ceo.address, subject);
    expect(message).toMatch(/^Delivered-To: ceo@sodimo\.eu$/m);
    expect(message).toMatch(/by \S+ with LMTP/);

    const unknown = await smtp(25, "none", "partner@yallafood.eu", `nobody@${DOMAIN}`);
    expect(unknown).toMatchObject({ ok: false, code: 550 });
    const relay = await smtp(25, "none", "partner@yallafood.eu", "someone@example.org");
    expect(relay).toMatchObject({ ok: false, code: 554 });
    expect(String(relay.reply)).toContain("Relay access denied");
  });

  it("submission 587/465 (and the mail network's 10587): each account authenticates through Dovecot and sends as its own address", async () => {
    const accounts: [login: string, password: string, from: string][] = [
      [USERS.ceo.address, USERS.ceo.password, USERS.ceo.address],
      ["twenty", passwords.get("twenty-smtp-password")!, `crm@${DOMAIN}`],
      ["vaultwarden", passwords.get("vaultwarden-smtp-password")!, `vault@${DOMAIN}`],
    ];
    for (const [login, password, from] of accounts) {
      for (const [port, mode] of [[587, "starttls"], [465, "tls"], ...(login.includes("@") ? [] : [[10587, "none"] as const])] as const) {
        const subject = `submitted ${login} ${port} ${randomBytes(3).toString("hex")}`;
        expect(await smtp(port, mode, from, USERS.ops.address, [login, password], subject), `${login} on ${port}`).toMatchObject({
          ok: true,
        });
        await delivered(USERS.ops.address, subject);
        expect(
          await smtp(port, mode, from, USERS.ops.address, [login, `${password}x`]),
          `${login} wrong password on ${port}`,
        ).toMatchObject({
          ok: false,
          code: 535,
        });
      }
    }
    // A sender the login does not own: another account's address, a stranger's, one outside the mail domains.
    const refused = [
      ["twenty", passwords.get("twenty-smtp-password")!, USERS.ceo.address],
      ["vaultwarden", passwords.get("vaultwarden-smtp-password")!, `crm@${DOMAIN}`],
      [USERS.ceo.address, USERS.ceo.password, `crm@${DOMAIN}`],
      [USERS.ceo.address, USERS.ceo.password, USERS.ops.address],
      [USERS.ceo.address, USERS.ceo.password, "ceo@example.org"],
    ] as const;
    for (const [login, password, from] of refused) {
      const result = await smtp(587, "starttls", from, USERS.ops.address, [login, password]);
      expect(result, `${login} as ${from}`).toMatchObject({ ok: false });
      expect(Number(result.code), `${login} as ${from}`).toBeGreaterThanOrEqual(550);
    }
    // No authentication offered before STARTTLS on 587.
    expect(await smtp(587, "none", USERS.ceo.address, USERS.ops.address, [USERS.ceo.address, USERS.ceo.password])).toMatchObject({
      ok: false,
    });
  });

  it("outbound mail passes rspamd's milter and carries a DKIM signature python3-dkim accepts against the published key", async () => {
    const subject = `signed ${randomBytes(4).toString("hex")}`;
    expect(
      await smtp(587, "starttls", USERS.ceo.address, USERS.ops.address, [USERS.ceo.address, USERS.ceo.password], subject),
    ).toMatchObject({
      ok: true,
    });
    const message = await delivered(USERS.ops.address, subject);
    expect(message).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=sodimo\.eu; s=dkim;/m);
    // Dovecot's Return-Path/Delivered-To were added after signing; the verifier skips unsigned headers.
    const verdict = await client(["dkim-verify", dkimTxt], message);
    expect(verdict).toMatchObject({ ok: true, domain: DOMAIN, selector: "dkim", asked: [`dkim._domainkey.${DOMAIN}.`] });
    const tampered = await client(["dkim-verify", dkimTxt], message.replace("Hello from the acceptance test.", "Hello from someone else."));
    expect(tampered).toMatchObject({ ok: false });
  });

  it("port 25: a stranger's mail forged as ours is delivered unsigned, from a public or the port forwarder's private address", async () => {
    // 10.89.1.1: how rootless Podman's port forwarder presents inbound clients; rspamd counts private
    // addresses as local, so `sign_local` would have signed this (docs/mail.md §DKIM).
    for (const source of ["192.0.2.20", "10.89.1.1"]) {
      const subject = `forged from ${source} ${randomBytes(4).toString("hex")}`;
      expect(await smtp(25, "starttls", USERS.ceo.address, USERS.ops.address, undefined, subject, source), source).toMatchObject({
        ok: true,
      });
      const forged = await delivered(USERS.ops.address, subject);
      expect(forged, source).not.toMatch(/^DKIM-Signature:/m);
    }
  });

  it("drain → the rendered sendmail wrapper → Postfix → mailbox, signed; only the wrapper's podman exec hop is a stand-in", async () => {
    // The stand-in for `podman exec -i postfix`: enter the namespace the daemons run in, as podman enters the container.
    const podman = join(root, "podman");
    await writeFile(
      podman,
      [
        "#!/bin/sh",
        '[ "$1" = exec ] && [ "$2" = -i ] && [ "$3" = postfix ] || { echo "unexpected podman call: $*" >&2; exit 64; }',
        "shift 3",
        `exec ${ns.argv("sh", []).slice(0, -1).join(" ")} "$@"`,
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const wrapperText = plan.harness.files.find((f) => f.key === "email-drain/sendmail-postfix.sh")!.content;
    expect(wrapperText).toContain("exec /usr/bin/podman exec -i 'postfix' /usr/sbin/sendmail");
    const wrapper = join(root, "sendmail-postfix.sh");
    await writeFile(wrapper, wrapperText.replace("/usr/bin/podman", podman), { mode: 0o755 });

    const drainUnit = plan.harness.files.find((f) => f.key === "email-drain.service")!.content;
    // The producers and their sender rules as the unit renders them; the keys are Podman secrets, so the
    // MCP producer's is the test key the envelope is signed with (apps/email-drain/testSupport/producerKeys.ts).
    const producerSettings = Object.fromEntries(
      [...drainUnit.matchAll(/^Environment="?(PRODUCERS|PRODUCER_[A-Z]+_(?:SENDERS|REPLY_TO))=([^"\n]*)"?$/gm)].map((m) => [m[1]!, m[2]!]),
    );
    expect(producerSettings.PRODUCERS).toBe("mcp,dlq");
    const api = await FakeQueuesApi.start({
      accountId: "d".repeat(32),
      apiToken: "mail-stack-token-0123456789abcdef",
      queues: [{ id: "1".repeat(32), deadLetterQueueId: "2".repeat(32) }, { id: "2".repeat(32) }],
    });
    try {
      const subject = `from the drain ${randomBytes(4).toString("hex")}`;
      api.enqueue(
        "1".repeat(32),
        signAsSync({
          v: 2,
          producer: "mcp",
          id: `stack-${randomBytes(4).toString("hex")}`,
          from: `agents@${DOMAIN}`,
          to: [USERS.ceo.address],
          subject,
          text: "Sent by an agent.",
        }),
      );
      const drain = startDrain(
        await writeDrainBundle(root),
        {
          PATH: process.env.PATH,
          CF_ACCOUNT_ID: "d".repeat(32),
          CF_QUEUE_ID: "1".repeat(32),
          CF_DLQ_QUEUE_ID: "2".repeat(32),
          CF_API_TOKEN: "mail-stack-token-0123456789abcdef",
          CF_API_BASE_URL: api.baseUrl,
          ...producerSettings,
          PRODUCER_MCP_KEY: TEST_PRODUCER_KEYS.mcp,
          PRODUCER_DLQ_KEY: TEST_PRODUCER_KEYS.dlq,
          SENDMAIL_PATH: wrapper,
          JOURNAL_PATH: join(root, "journal"),
        },
        ["--once"],
      );
      expect(await drain.exited, drain.stdout()).toBe(0);
      expect(api.bodies("2".repeat(32))).toEqual([]);
      const message = await delivered(USERS.ceo.address, subject);
      expect(message).toMatch(/^DKIM-Signature: .*d=sodimo\.eu; s=dkim;/m);
      expect(await client(["dkim-verify", dkimTxt], message)).toMatchObject({ ok: true });
    } finally {
      await api.stop();
    }
  });
  it("rspamd down: SMTP is told to retry (4xx) and sendmail's mail waits, then leaves signed once rspamd is back", async () => {
    daemons.rspamd!.child.kill("SIGTERM");
    await waitFor("rspamd to stop", async () => !/:11332\s/.test(await ns.exec("ss", ["-ltnH"])));

    const submitted = await smtp(587, "starttls", USERS.ceo.address, USERS.ops.address, [USERS.ceo.address, USERS.ceo.password]);
    // Postfix answers every command of the session with a 4xx once the milter cannot be reached (454 to STARTTLS).
    expect(submitted).toMatchObject({ ok: false, code: expect.toSatisfy((code: number) => code >= 400 && code < 500) });
    const inbound = await smtp(25, "starttls", "partner@yallafood.eu", USERS.ceo.address);
    expect(inbound).toMatchObject({ ok: false, code: expect.toSatisfy((code: number) => code >= 400 && code < 500) });

    // What the drain's wrapper runs in the container: sendmail takes the message (exit 0) into the maildrop.
    const subject = `while rspamd was down ${randomBytes(4).toString("hex")}`;
    const sender = `agents@${DOMAIN}`;
    await ns.exec("/usr/sbin/sendmail", ["-i", "-f", sender, USERS.ceo.address], { input: message(sender, USERS.ceo.address, subject) });
    const queued = await ns.exec("/usr/sbin/postqueue", ["-j"]);
    expect(queued, "the message waits in Postfix's queue").toContain(sender);
    const early = await Promise.all(
      (await readdir(mailbox(USERS.ceo.address))).map((f) => readFile(join(mailbox(USERS.ceo.address), f), "utf8")),
    );
    expect(
      early.some((text) => text.includes(subject)),
      "not delivered while rspamd is down",
    ).toBe(false);

    daemons.rspamd = startRspamd();
    await waitFor("rspamd to listen again", async () => /:11332\s/.test(await ns.exec("ss", ["-ltnH"])), 240_000);
    await ns.exec("/usr/sbin/postqueue", ["-f"]);
    const late = await delivered(USERS.ceo.address, subject);
    expect(late).toMatch(/^DKIM-Signature: .*d=sodimo\.eu; s=dkim;/m);
    expect(await client(["dkim-verify", dkimTxt], late)).toMatchObject({ ok: true });
  });
});
