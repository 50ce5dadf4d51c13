/**
 * A stand-in for Cloudflare Access at the edge of `mcp.<domain>`, for tests (Access does not run
 * here): a loopback HTTP server that admits a request only with the agents' service token in
 * `CF-Access-Client-Id` / `CF-Access-Client-Secret`, as Access's Service Auth policy does, and
 * forwards it to the Worker without those headers and with an application token for that service
 * token in `Cf-Access-Jwt-Assertion` (signed by the AccessIssuer the Worker trusts). It records the
 * JSON-RPC methods it forwarded and the Worker's status for each.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ACCESS_JWT_HEADER } from "../src/accessJwt";
import type { AccessIssuer } from "./accessIssuer";

export interface ServiceToken {
  clientId: string;
  clientSecret: string;
}

export interface ForwardedCall {
  method: string;
  status: number;
  /** The Worker's answer, parsed when it is JSON. */
  response: unknown;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function jsonRpcMethods(body: Buffer): string[] {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as unknown;
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    return messages.map((message) => {
      const method = (message as { method?: unknown }).method;
      return typeof method === "string" ? method : "(response)";
    });
  } catch {
    return [];
  }
}

export class AccessEdge {
  readonly forwarded: ForwardedCall[] = [];
  /** Requests refused for want of the service token. */
  refused = 0;

  private constructor(
    private readonly server: Server,
    readonly url: URL,
  ) {}

  static async start(options: { worker: URL; issuer: AccessIssuer; token: ServiceToken }): Promise<AccessEdge> {
    // eslint-disable-next-line prefer-const -- assigned after the closure that reads it is created
    let edge: AccessEdge | undefined;
    const server = createServer((request, response) => {
      void (async () => {
        const body = await readBody(request);
        const id = request.headers["cf-access-client-id"];
        const secret = request.headers["cf-access-client-secret"];
        if (id !== options.token.clientId || secret !== options.token.clientSecret) {
          if (edge) edge.refused += 1;
          response.writeHead(403, { "content-type": "text/plain" }).end("Forbidden: no valid service token\n");
          return;
        }
        const headers = new Headers();
        for (const [name, value] of Object.entries(request.headers)) {
          if (typeof value !== "string" || /^(host|connection|content-length|cf-access-client-(id|secret))$/i.test(name)) continue;
          headers.set(name, value);
        }
        headers.set(ACCESS_JWT_HEADER, await options.issuer.serviceToken(options.token.clientId));
        const target = new URL(request.url ?? "/", options.worker);
        const answer = await fetch(target, {
          method: request.method,
          headers,
          body: request.method === "GET" || request.method === "HEAD" ? undefined : new Uint8Array(body),
        });
        const text = await answer.text();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON (an empty 202, an error page): kept as text
        }
        for (const method of jsonRpcMethods(body)) edge?.forwarded.push({ method, status: answer.status, response: parsed });
        const passHeaders: Record<string, string> = {};
        answer.headers.forEach((value, name) => {
          if (!/^(content-length|content-encoding|transfer-encoding|connection)$/i.test(name)) passHeaders[name] = value;
        });
        response.writeHead(answer.status, passHeaders).end(text);
      })().catch((error: unknown) => {
        response.writeHead(502, { "content-type": "text/plain" }).end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    edge = new AccessEdge(server, new URL(`http://127.0.0.1:${port}${options.worker.pathname}`));
    return edge;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
