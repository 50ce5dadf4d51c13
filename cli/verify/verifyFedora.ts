/**
 * `npm run verify -- <stack>` for fedora: plans the stack offline (what it would write), then asks the
 * live host — over SSH, as the operator, read-only — whether it still holds exactly that.
 */
import { spawn } from "node:child_process";
import type { RecordedResource } from "../engine/RecordingMonitor";
import { isSecretEnvelope } from "../engine/redact";
import { type Drift, expectedHost, hostDrift, hostProbeScript } from "./hostProbe";

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  /** A private key file; without it, ssh's own agent and configuration decide. */
  identityFile?: string;
  /** A known_hosts file; without it, the operator's. */
  knownHostsFile?: string;
  /** The ssh program and any arguments before ssh's own (default `ssh`). */
  sshCommand?: readonly string[];
}

/** The SSH connection the plan's Harness uses (its host check's connection). */
export function sshTargetOf(resources: readonly RecordedResource[]): Pick<SshTarget, "host" | "port" | "user"> | undefined {
  const check = resources.find((r) => r.type === "command:remote:Command" && r.name.endsWith("-host-check"));
  // With a private key in it, the connection is one secret envelope: only host, port and user are read.
  const raw = check?.inputs.connection;
  const connection = (isSecretEnvelope(raw) ? raw.value : raw) as { host?: string; port?: number; user?: string } | undefined;
  if (!connection?.host || !connection.user) return undefined;
  return { host: connection.host, port: connection.port ?? 22, user: connection.user };
}

function runSsh(target: SshTarget, script: string): Promise<{ status: number; stdout: string; stderr: string }> {
  const [program, ...prefix] = target.sshCommand ?? ["ssh"];
  const args = [
    ...prefix,
    "-p",
    String(target.port),
    "-o",
    "BatchMode=yes",
    "-o",
    "ConnectTimeout=15",
    ...(target.identityFile ? ["-i", target.identityFile, "-o", "IdentitiesOnly=yes"] : []),
    ...(target.knownHostsFile ? ["-o", `UserKnownHostsFile=${target.knownHostsFile}`, "-o", "StrictHostKeyChecking=yes"] : []),
    `${target.user}@${target.host}`,
    "sh -s",
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(program!, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status: status ?? -1, stdout, stderr }));
    child.stdin.end(script);
  });
}

/** Every drift between the plan and the host; an unreachable host is one drift, saying so. */
export async function verifyFedoraHost(resources: readonly RecordedResource[], target: SshTarget, stack: string): Promise<Drift[]> {
  const expected = expectedHost(resources);
  const result = await runSsh(target, hostProbeScript(expected));
  if (result.status !== 0) {
    return [
      {
        what: `ssh ${target.user}@${target.host}:${target.port}`,
        found: `exit ${result.status}: ${result.stderr.trim().split("\n").slice(-3).join(" | ")}`,
        fix: "check sshHost/sshPort/sshUser and that your key logs in (HARNESS_SSH_IDENTITY=<key file>, or your ssh agent)",
      },
    ];
  }
  return hostDrift(expected, result.stdout, stack);
}
