/**
 * Pieces of pod specs the Kubernetes components share: environment entries (plain, from Secrets,
 * the database URL), the restricted security context, probes the hostname guard accepts. Pure.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { DATABASE_URL_ENV, PAPERCLIP_HEALTH, PAPERCLIP_PORT } from "../paperclip/paperclipSettings";

type EnvVar = k8s.types.input.core.v1.EnvVar;

/** The uid/gid of upstream's `node` user, which owns /paperclip in the image. */
export const PAPERCLIP_UID = 1000;

/** One value from a Kubernetes Secret. */
export interface SecretKeyRef {
  secretName: pulumi.Input<string>;
  key: string;
  /**
   * The pod starts without it when the Secret or key is missing. Every reference to a secret that is
   * not always provisioned must be optional, or a missing one blocks every rollout (the seeds' lesson).
   */
  optional?: boolean;
}

/** Kubernetes expands `$(NAME)` in env values; `$$(` keeps a literal `$(` in a plain value. */
export function escapeExpansion(value: string): string {
  // A function, because in a replacement string "$$" itself means "$".
  return value.replaceAll("$(", () => "$$(");
}

export function plainEnv(env: Readonly<Record<string, string>>): EnvVar[] {
  return Object.entries(env).map(([name, value]) => ({ name, value: escapeExpansion(value) }));
}

export function secretEnv(name: string, ref: SecretKeyRef): EnvVar {
  return {
    name,
    valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key, ...(ref.optional ? { optional: true } : {}) } },
  };
}

/** Where Paperclip's database is, and the Secret holding its role's password. */
export interface DatabaseConnection {
  /** Service host name (FQDN) of PostgreSQL. */
  host: string;
  port: number;
  database: string;
  user: string;
  password: SecretKeyRef;
}

/** Name of the variable the password is expanded from (defined before DATABASE_URL, as expansion requires). */
export const DATABASE_PASSWORD_ENV = "PG_PASSWORD";

/**
 * PG_PASSWORD from the Secret, then DATABASE_URL assembled with `$(PG_PASSWORD)` expansion, so the
 * password never appears in a manifest. Generated passwords are hex: nothing to URL-encode. Only for
 * containers that spawn no agent (the init container, the first-admin Job).
 */
export function databaseUrlEnv(db: DatabaseConnection): EnvVar[] {
  return [
    secretEnv(DATABASE_PASSWORD_ENV, db.password),
    {
      name: DATABASE_URL_ENV,
      value: `postgres://${encodeURIComponent(db.user)}:$(${DATABASE_PASSWORD_ENV})@${db.host}:${db.port}/${encodeURIComponent(db.database)}`,
    },
  ];
}

/** Non-root, no privilege escalation, no capabilities: the `restricted` Pod Security Standard. */
export function restrictedContainerSecurityContext(uid = PAPERCLIP_UID): k8s.types.input.core.v1.SecurityContext {
  return {
    runAsUser: uid,
    runAsGroup: uid,
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/**
 * Paperclip's hostname guard answers 403 to any Host it does not allow, /api/health included, and the
 * kubelet sends `Host: <pod IP>:3100`. So HTTP probes send `Host: localhost` (always allowed).
 * - startup: HTTP, up to 5 minutes (first boot runs every migration);
 * - readiness: HTTP, so a pod whose database is unreachable (503) takes no traffic;
 * - liveness: TCP, so a database outage does not restart Paperclip in a loop.
 */
export function paperclipProbes(): Pick<k8s.types.input.core.v1.Container, "startupProbe" | "readinessProbe" | "livenessProbe"> {
  const health = { path: PAPERCLIP_HEALTH.path, port: "http", httpHeaders: [{ name: "Host", value: PAPERCLIP_HEALTH.hostHeader }] };
  return {
    startupProbe: { httpGet: health, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 30 },
    readinessProbe: { httpGet: health, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
    livenessProbe: { tcpSocket: { port: "http" }, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 4 },
  };
}

/** The in-cluster URL of Paperclip's health endpoint behind its Service. */
export function healthUrl(serviceName: string, namespace: string): string {
  return `http://${serviceName}.${namespace}.svc.cluster.local:${PAPERCLIP_PORT}${PAPERCLIP_HEALTH.path}`;
}

/** Requests and limits of one container. */
export interface ContainerResources {
  cpuRequest: string;
  cpuLimit: string;
  memoryRequest: string;
  memoryLimit: string;
}

export function resourceRequirements(r: ContainerResources): k8s.types.input.core.v1.ResourceRequirements {
  return { requests: { cpu: r.cpuRequest, memory: r.memoryRequest }, limits: { cpu: r.cpuLimit, memory: r.memoryLimit } };
}
