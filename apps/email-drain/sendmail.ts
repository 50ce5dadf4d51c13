/**
 * Hands one rendered message to the local MTA through the sendmail interface.
 *
 * Invocation: `sendmail -i -f <sender> -- <recipient>…`, message on stdin. Deliberately not `-t`:
 * - recipients (To, Cc and Bcc) come from the validated envelope as arguments, so Bcc never needs to be a
 *   header at all. With `-t` the MTA would have to read and strip a Bcc header, which is MTA-specific (and
 *   Postfix's `-t` also adds any argument recipients), so one misconfiguration would leak the Bcc list;
 * - `--` ends option parsing, so an address starting with "-" cannot become an option (Postfix, Exim and
 *   msmtp all honour it); `-f` sets the envelope sender so bounces return to the sending mailbox;
 * - `-i` stops a line holding a single "." from ending the message early.
 * Line endings: the sendmail interface reads a local text stream, so the renderer's CRLF becomes LF here;
 * the MTA restores CRLF on the wire (RFC 5321 §2.3.8).
 *
 * The child runs without a shell and with a minimal environment: the Cloudflare token never reaches it.
 */
import { spawn } from "node:child_process";

export interface SendmailOptions {
  path: string;
  timeoutMs: number;
  /** The drain's environment; only CHILD_ENVIRONMENT variables are passed on. */
  env: NodeJS.ProcessEnv;
}

export interface SendmailRequest {
  envelopeSender: string;
  recipients: readonly string[];
  /** The RFC 5322 message with CRLF line endings, as rendered. */
  message: string;
}

export type SendmailOutcome =
  | { kind: "sent" }
  | { kind: "exit"; exitCode: number; stderr: string }
  | { kind: "signal"; signal: string; stderr: string }
  | { kind: "timeout"; stderr: string }
  | { kind: "spawn-error"; code: string };

/** EX_TEMPFAIL from sysexits.h: the MTA asks to be tried again later. */
export const EX_TEMPFAIL = 75;

/** What a sendmail implementation may need: locale, home (for ~/.msmtprc), and Postfix's MAIL_CONFIG. */
export const CHILD_ENVIRONMENT = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "MAIL_CONFIG"];
const DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
const MAX_STDERR = 2_048;
/** After a timeout: SIGTERM, then SIGKILL this much later. */
export const SENDMAIL_KILL_GRACE_MS = 1_000;
const STDERR_DRAIN_MS = 200;

export function sendmailArguments(request: Pick<SendmailRequest, "envelopeSender" | "recipients">): string[] {
  return ["-i", "-f", request.envelopeSender, "--", ...request.recipients];
}

export function childEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const passed = Object.fromEntries(CHILD_ENVIRONMENT.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]]))) as Record<
    string,
    string
  >;
  return { PATH: DEFAULT_PATH, ...passed };
}

export function runSendmail(options: SendmailOptions, request: SendmailRequest): Promise<SendmailOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let timedOut = false;
    let stderrClosed = false;
    let exited: { exitCode: number | null; signal: NodeJS.Signals | null } | undefined;
    let stderr = "";
    const timers: NodeJS.Timeout[] = [];
    const child = spawn(options.path, sendmailArguments(request), {
      env: childEnvironment(options.env),
      stdio: ["pipe", "ignore", "pipe"],
    });
    const finish = (outcome: SendmailOutcome): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      child.stderr.destroy();
      resolve(outcome);
    };
    const finishExited = (): void => {
      if (exited === undefined) return;
      const { exitCode, signal } = exited;
      if (timedOut) finish({ kind: "timeout", stderr });
      else if (signal !== null) finish({ kind: "signal", signal, stderr });
      else if (exitCode === 0) finish({ kind: "sent" });
      else finish({ kind: "exit", exitCode: exitCode ?? -1, stderr });
    };
    timers.push(
      setTimeout(() => {
        timedOut = true;
        child.kill("SIGTERM");
        timers.push(setTimeout(() => child.kill("SIGKILL"), SENDMAIL_KILL_GRACE_MS));
      }, options.timeoutMs),
    );

    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR) stderr = (stderr + chunk.toString("utf8")).slice(0, MAX_STDERR);
    });
    child.stderr.on("close", () => {
      stderrClosed = true;
      finishExited();
    });
    // EPIPE when sendmail exits before reading everything: its exit status says what happened.
    child.stdin.on("error", () => undefined);
    child.on("error", (error: NodeJS.ErrnoException) => finish({ kind: "spawn-error", code: error.code ?? error.message }));
    child.on("exit", (exitCode, signal) => {
      exited = { exitCode, signal };
      if (stderrClosed) finishExited();
      // A grandchild (postdrop, a shell's sleep) may keep stderr open: the exit status is what counts.
      else timers.push(setTimeout(finishExited, STDERR_DRAIN_MS));
    });
    child.stdin.end(request.message.replace(/\r\n/g, "\n"));
  });
}
