/**
 * A private, throw-away Postfix instance for the real-MTA test: its own config, queue and data directories
 * under a temporary directory, no network listener at all (mail enters through its sendmail → postdrop →
 * pickup), and a virtual(8) transport that delivers every recipient of `drain.test` into one Maildir.
 *
 * Needs Debian's `postfix` package and root (Postfix's master runs as root and drops to the `postfix` user);
 * it touches nothing outside its directory, so the machine's own Postfix, configured or not, is unaffected.
 * Every directory above `directory` must be traversable by other users (mkdtemp's are not: chmod them 0755).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const POSTFIX_DOMAIN = "drain.test";

/** Why a private Postfix cannot run here, or undefined when it can. */
export function postfixUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return "the real-MTA test must run as root (Postfix's master daemon needs it)";
  const needed = [
    "/usr/sbin/postfix",
    "/usr/sbin/sendmail",
    "/usr/sbin/postconf",
    "/usr/lib/postfix/sbin/master",
    "/etc/postfix/master.cf",
  ];
  const missing = needed.filter((path) => !existsSync(path));
  return missing.length > 0 ? `Debian's postfix package is not installed (missing ${missing.join(", ")})` : undefined;
}

export interface PostfixInstance {
  /** An executable to use as SENDMAIL_PATH: Debian's sendmail pointed at this instance. */
  sendmailPath: string;
  /** Where delivered messages appear (Maildir `new/`). */
  newMailDirectory: string;
  /** The main.cf/master.cf directory (`postfix -c`, `sendmail -C`). */
  configDirectory: string;
  mailLog(): Promise<string>;
  /** Messages still in Postfix's queue (maildrop, incoming, active, deferred), counted by postqueue. */
  queuedCount(): Promise<number>;
  stop(): Promise<void>;
}

export async function startPostfixInstance(directory: string): Promise<PostfixInstance> {
  const configDirectory = join(directory, "etc");
  const dataDirectory = join(directory, "data");
  const mailDirectory = join(directory, "mail");
  const mailLog = join(directory, "maillog");
  for (const path of [configDirectory, join(directory, "queue"), dataDirectory, mailDirectory]) {
    await mkdir(path, { recursive: true });
  }
  // Postfix's daemons run as `postfix` and `nobody`: they must be able to traverse into the directory.
  await chmod(directory, 0o755);
  const postfixUid = Number((await run("id", ["-u", "postfix"])).stdout.trim());
  const nobodyUid = Number((await run("id", ["-u", "nobody"])).stdout.trim());
  const nobodyGid = Number((await run("id", ["-g", "nobody"])).stdout.trim());
  await chown(dataDirectory, postfixUid, 0);
  await chown(mailDirectory, nobodyUid, nobodyGid);

  await writeFile(
    join(configDirectory, "main.cf"),
    [
      "compatibility_level = 3.6",
      `queue_directory = ${join(directory, "queue")}`,
      `data_directory = ${dataDirectory}`,
      "mail_owner = postfix",
      "setgid_group = postdrop",
      `myhostname = mta.${POSTFIX_DOMAIN}`,
      `mydomain = ${POSTFIX_DOMAIN}`,
      `myorigin = ${POSTFIX_DOMAIN}`,
      "mydestination =",
      "inet_interfaces = loopback-only",
      "inet_protocols = ipv4",
      `maillog_file = ${mailLog}`,
      `maillog_file_prefixes = ${directory}`,
      `virtual_mailbox_domains = ${POSTFIX_DOMAIN}`,
      `virtual_mailbox_base = ${mailDirectory}`,
      "virtual_mailbox_maps = static:Maildir/",
      `virtual_uid_maps = static:${nobodyUid}`,
      `virtual_gid_maps = static:${nobodyGid}`,
      "",
    ].join("\n"),
  );
  // Debian's master.cf, minus the SMTP listener: this instance only takes mail through sendmail.
  await copyFile("/etc/postfix/master.cf", join(configDirectory, "master.cf"));
  const masterCf = await readFile(join(configDirectory, "master.cf"), "utf8");
  await writeFile(join(configDirectory, "master.cf"), masterCf.replace(/^smtp\s+inet\b.*$/m, "# smtp inet listener disabled"));

  try {
    await run("/usr/sbin/postfix", ["-c", configDirectory, "check"]);
    await run("/usr/sbin/postfix", ["-c", configDirectory, "start"]);
  } catch (error) {
    // Postfix reports to its log, not to a non-terminal stderr.
    const log = await readFile(mailLog, "utf8").catch(() => "(no mail log)");
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${log}`, { cause: error });
  }

  const sendmailPath = join(directory, "sendmail");
  await writeFile(sendmailPath, `#!/bin/sh\nexec /usr/sbin/sendmail -C '${configDirectory}' "$@"\n`, { mode: 0o755 });
  return {
    sendmailPath,
    newMailDirectory: join(mailDirectory, "Maildir", "new"),
    configDirectory,
    mailLog: () => readFile(mailLog, "utf8").catch(() => ""),
    queuedCount: async () => {
      const { stdout } = await run("/usr/sbin/postqueue", ["-c", configDirectory, "-j"]);
      // One JSON object per queued message; maildrop files not yet picked up are listed too.
      return stdout.split("\n").filter((line) => line.trim() !== "").length;
    },
    stop: async () => {
      await run("/usr/sbin/postfix", ["-c", configDirectory, "stop"]).catch(() => undefined);
    },
  };
}
