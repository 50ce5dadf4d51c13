/**
 * A read-only Kubernetes API client for `verify`: the operator's kubeconfig (its current context),
 * bearer token or client certificate, the cluster's CA. @kubernetes/client-node is not used here:
 * 2.0.1's bundled undici needs Node 22's zstd (it fails to load on Node 20, which this repository
 * runs on). Exec-plugin credentials are not supported (the error says so).
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { parse } from "yaml";

export interface KubeTarget {
  server: string;
  token?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTlsVerify?: boolean;
  context: string;
}

interface Named {
  name: string;
  [key: string]: unknown;
}

/** The kubeconfig at `path` (default: $KUBECONFIG's first file, else ~/.kube/config), its current context. */
export function readKubeconfig(path?: string): KubeTarget {
  const file = path ?? process.env.KUBECONFIG?.split(":")[0] ?? join(homedir(), ".kube", "config");
  const config = parse(readFileSync(file, "utf8")) as {
    "current-context"?: string;
    contexts?: Named[];
    clusters?: Named[];
    users?: Named[];
  };
  const pick = (list: Named[] | undefined, name: string | undefined, key: string) => {
    const entry = list?.find((item) => item.name === name)?.[key] as Record<string, unknown> | undefined;
    if (entry === undefined) throw new Error(`${file}: no ${key} ${JSON.stringify(name)}`);
    return entry;
  };
  const contextName = config["current-context"];
  const context = pick(config.contexts, contextName, "context") as { cluster?: string; user?: string };
  const cluster = pick(config.clusters, context.cluster, "cluster");
  const user = context.user === undefined ? {} : pick(config.users, context.user, "user");
  if (user.exec !== undefined || user["auth-provider"] !== undefined)
    throw new Error(
      `${file}: the user of context ${contextName} gets its credentials from a plugin; verify reads a token or a client certificate only`,
    );
  const bytes = (data: unknown, filePath: unknown): Buffer | undefined =>
    typeof data === "string"
      ? Buffer.from(data, "base64")
      : typeof filePath === "string"
        ? readFileSync(isAbsolute(filePath) ? filePath : join(dirname(file), filePath))
        : undefined;
  const tokenFile = typeof user.tokenFile === "string" ? user.tokenFile : undefined;
  const token = typeof user.token === "string" ? user.token : tokenFile ? readFileSync(tokenFile, "utf8").trim() : undefined;
  const ca = bytes(cluster["certificate-authority-data"], cluster["certificate-authority"]);
  const cert = bytes(user["client-certificate-data"], user["client-certificate"]);
  const key = bytes(user["client-key-data"], user["client-key"]);
  return {
    server: String(cluster.server),
    context: contextName ?? "",
    ...(token === undefined ? {} : { token }),
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(cluster["insecure-skip-tls-verify"] === true ? { insecureSkipTlsVerify: true } : {}),
  };
}

/** GET `path` on the API server: its status and body (parsed when it is JSON). */
export function kubeGet(target: KubeTarget, path: string): Promise<{ status: number; body: unknown }> {
  const url = new URL(path, target.server.endsWith("/") ? target.server : `${target.server}/`);
  const https = url.protocol === "https:";
  const options = {
    method: "GET",
    headers: { accept: "application/json", ...(target.token ? { authorization: `Bearer ${target.token}` } : {}) },
    timeout: 15_000,
    ...(https
      ? {
          ...(target.ca ? { ca: target.ca } : {}),
          ...(target.cert ? { cert: target.cert } : {}),
          ...(target.key ? { key: target.key } : {}),
          rejectUnauthorized: target.insecureSkipTlsVerify !== true,
        }
      : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(url, options, (res) => {
      let data = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (data += chunk));
      res.on("end", () => {
        let body: unknown = data;
        if ((res.headers["content-type"] ?? "").includes("json")) {
          try {
            body = JSON.parse(data);
          } catch {
            // A body that claims JSON but is not stays text.
          }
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url.host} within 15 s`)));
    req.on("error", reject);
    req.end();
  });
}
