/**
 * An RSA key pair derived from a seed, for the offline stand-in of `tls.PrivateKey`: the plan stays
 * the same from run to run (Node's generateKeyPair cannot be seeded), and the key is a real one, so
 * what the program derives from it (a DKIM record) is checked on a real key. Offline use only: the
 * seed is public, so the key is worthless as a secret.
 */
import { checkPrimeSync, createHash, createPrivateKey, createPublicKey } from "node:crypto";

// Trial division by the primes below 2000 turns most candidates away before the costlier test.
const SMALL_PRIMES = Array.from({ length: 1998 }, (_, i) => BigInt(i + 2)).filter((n) => {
  for (let d = 2n; d * d <= n; d++) if (n % d === 0n) return false;
  return true;
});

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

/** Deterministic bytes: SHA-256 in counter mode. */
function stream(seed: string): (bytes: number) => bigint {
  let counter = 0;
  return (bytes) => {
    let hex = "";
    while (hex.length < bytes * 2) hex += createHash("sha256").update(`${seed}/${counter++}`).digest("hex");
    return BigInt(`0x${hex.slice(0, bytes * 2)}`);
  };
}

const E = 65537n;

function prime(bits: number, random: (bytes: number) => bigint): bigint {
  for (;;) {
    // Top two bits set (the product has exactly 2·bits bits), odd.
    const candidate = random(bits / 8) | (3n << BigInt(bits - 2)) | 1n;
    // OpenSSL's primality test, native: the BigInt Miller-Rabin it replaces was a quarter of a
    // second of every fedora plan (npm run bench).
    if ((candidate - 1n) % E !== 0n && SMALL_PRIMES.every((p) => candidate % p !== 0n) && checkPrimeSync(candidate)) return candidate;
  }
}

const b64url = (n: bigint): string => {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex").toString("base64url");
};

/** PEMs as the tls provider gives them: PKCS#1 private key, SubjectPublicKeyInfo public key. */
export function offlineRsaKey(seed: string, bits = 2048): { privateKeyPem: string; publicKeyPem: string } {
  const random = stream(seed);
  let p = prime(bits / 2, random);
  let q = prime(bits / 2, random);
  while (p === q) q = prime(bits / 2, random);
  if (p < q) [p, q] = [q, p];
  const n = p * q;
  const d = modInverse(E, (p - 1n) * (q - 1n));
  const jwk = {
    kty: "RSA",
    n: b64url(n),
    e: b64url(E),
    d: b64url(d),
    p: b64url(p),
    q: b64url(q),
    dp: b64url(d % (p - 1n)),
    dq: b64url(d % (q - 1n)),
    qi: b64url(modInverse(q, p)),
  };
  const privateKey = createPrivateKey({ key: jwk, format: "jwk" });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    publicKeyPem: createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString(),
  };
}
