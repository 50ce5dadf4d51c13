/**
 * An RSA key pair derived from a seed, for the offline stand-in of `tls.PrivateKey`: the plan stays
 * the same from run to run (Node's generateKeyPair cannot be seeded), and the key is a real one, so
 * what the program derives from it (a DKIM record) is checked on a real key. Offline use only: the
 * seed is public, so the key is worthless as a secret.
 */
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";

const SMALL_PRIMES = Array.from({ length: 2000 }, (_, i) => i + 2).filter((n) => {
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
});

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

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

function isProbablePrime(n: bigint, random: (bytes: number) => bigint): boolean {
  for (const p of SMALL_PRIMES) if (n % BigInt(p) === 0n) return n === BigInt(p);
  let d = n - 1n;
  let r = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    r++;
  }
  witnesses: for (let i = 0; i < 40; i++) {
    const a = 2n + (random(128) % (n - 4n));
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let j = 1; j < r; j++) {
      x = (x * x) % n;
      if (x === n - 1n) continue witnesses;
    }
    return false;
  }
  return true;
}

const E = 65537n;

function prime(bits: number, random: (bytes: number) => bigint): bigint {
  for (;;) {
    // Top two bits set (the product has exactly 2·bits bits), odd.
    const candidate = random(bits / 8) | (3n << BigInt(bits - 2)) | 1n;
    if ((candidate - 1n) % E !== 0n && isProbablePrime(candidate, random)) return candidate;
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
