/**
 * Verification of the Access application token (`Cf-Access-Jwt-Assertion`) inside the Worker, on top
 * of Access at the edge: a request that reached the Worker some other way (a route or hostname added
 * by hand, a misconfigured application) carries no token signed for this application and is refused.
 *
 * Checked with `jose`: an RS256 signature by one of the team's published keys
 * (`<issuer>/cdn-cgi/access/certs`, fetched and cached by jose's remote key set, refetched on an
 * unknown key id as Access rotates them), the issuer, this application's AUD tag, and expiry.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";

export const ACCESS_JWT_HEADER = "Cf-Access-Jwt-Assertion";

/** Tolerated clock difference between Access and the Worker. */
const CLOCK_TOLERANCE_SECONDS = 5;

export type AccessTokenCheck =
  { ok: true; claims: JWTPayload & Record<string, unknown> } | { ok: false; status: 401 | 403; reason: string };

// One key set per issuer for the isolate's lifetime, so keys are fetched once, not on every request.
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySetFor(issuer: string): ReturnType<typeof createRemoteJWKSet> {
  let keySet = keySets.get(issuer);
  if (!keySet) {
    keySet = createRemoteJWKSet(new URL(`${issuer}/cdn-cgi/access/certs`));
    keySets.set(issuer, keySet);
  }
  return keySet;
}

/** The request's Access token, verified for `audience` of `issuer`; the reason says what failed, never the token. */
export async function verifyAccessToken(request: Request, issuer: string, audience: string): Promise<AccessTokenCheck> {
  const token = request.headers.get(ACCESS_JWT_HEADER);
  if (token === null || token === "")
    return { ok: false, status: 401, reason: `no ${ACCESS_JWT_HEADER} header: this endpoint is reached through Cloudflare Access` };
  try {
    const { payload } = await jwtVerify(token, keySetFor(issuer), {
      issuer,
      audience,
      algorithms: ["RS256"],
      requiredClaims: ["exp", "iat"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    return { ok: true, claims: payload };
  } catch (error) {
    return { ok: false, status: 403, reason: `the Access token is not valid for this application: ${describe(error)}` };
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "it has expired";
  if (error instanceof errors.JWTClaimValidationFailed) return `claim ${error.claim} failed (${error.reason})`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return "its signature does not verify against the team's keys";
  if (error instanceof errors.JWKSNoMatchingKey) return "it is signed with a key the team does not publish";
  if (error instanceof errors.JOSEError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
