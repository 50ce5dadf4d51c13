/**
 * A stand-in for a Cloudflare Access team, for tests: an RS256 key pair whose public half is served
 * as a JWKS at `<issuer>/cdn-cgi/access/certs` by a real HTTP server on loopback (what the Worker
 * fetches), and a signer for application tokens shaped like Access's (a login's `email`, a service
 * token's `common_name`). A second, unpublished key signs forgeries.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

export interface TokenOptions {
  audience?: string;
  issuer?: string;
  /** Seconds from now; negative for a token that has expired. Default 300. */
  expiresIn?: number;
  /** Sign with a key the team does not publish. */
  forged?: boolean;
}

export class AccessIssuer {
  /** How many times the key set was fetched. */
  certsRequests = 0;

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    readonly audience: string,
    private readonly published: SigningKey,
    private readonly unpublished: SigningKey,
  ) {}

  static async start(audience: string): Promise<AccessIssuer> {
    const published = await signingKey("published-key");
    const unpublished = await signingKey("unpublished-key");
    // Assigned once the server exists; the request handler reads it later.
    // eslint-disable-next-line prefer-const -- assigned after the closure that reads it is created
    let issuer: AccessIssuer | undefined;
    const server = createServer((request, response) => {
      if (request.url === "/cdn-cgi/access/certs") {
        if (issuer) issuer.certsRequests += 1;
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [published.publicJwk] }));
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    issuer = new AccessIssuer(server, `http://127.0.0.1:${port}`, audience, published, unpublished);
    return issuer;
  }

  /** A login's application token. */
  personToken(email: string, options: TokenOptions = {}): Promise<string> {
    return this.sign({ email, sub: "7335d417-61da-459d-899c-0a01c76a2f94", identity_nonce: "nonce", country: "FR" }, options);
  }

  /** A service token's application token: its client id as `common_name`, an empty `sub`. */
  serviceToken(clientId: string, options: TokenOptions = {}): Promise<string> {
    return this.sign({ common_name: clientId, sub: "", identity_nonce: "" }, options);
  }

  private sign(claims: Record<string, unknown>, options: TokenOptions): Promise<string> {
    const key = options.forged ? this.unpublished : this.published;
    const now = Math.floor(Date.now() / 1000);
    // A forgery claims the published key's id: only the signature gives it away.
    return new SignJWT({ ...claims, type: "app" })
      .setProtectedHeader({ alg: "RS256", kid: this.published.kid, typ: "JWT" })
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience([options.audience ?? this.audience])
      .setIssuedAt(now - 10)
      .setNotBefore(now - 10)
      .setExpirationTime(now + (options.expiresIn ?? 300))
      .sign(key.privateKey);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
