/**
 * OpenSSH public-key lines (`authorized_keys` format without options), parsed the way sshd reads
 * them: the base64 blob must decode to the SSH wire encoding (RFC 4253 §6.6, RFC 5656 §3.1,
 * RFC 8709 §4, PROTOCOL.u2f) of a key of the type the line names. A line that merely looks like a
 * key (the right prefix, base64 characters) but does not decode to one is refused: sshd would skip
 * it silently and the operator could not log in.
 */

const ED25519_KEY_BYTES = 32;
const ECDSA_CURVES: Record<string, { curve: string; pointBytes: number }> = {
  "ecdsa-sha2-nistp256": { curve: "nistp256", pointBytes: 65 },
  "ecdsa-sha2-nistp384": { curve: "nistp384", pointBytes: 97 },
  "ecdsa-sha2-nistp521": { curve: "nistp521", pointBytes: 133 },
  "sk-ecdsa-sha2-nistp256@openssh.com": { curve: "nistp256", pointBytes: 65 },
};
/** OpenSSH refuses RSA keys shorter than this (`RequiredRSASize`, default since 9.1). */
const MIN_RSA_BITS = 1024;

/** Reads the SSH wire format: uint32 length, then that many bytes. */
class WireReader {
  private offset = 0;
  constructor(private readonly bytes: Buffer) {}

  string(): Buffer | undefined {
    if (this.offset + 4 > this.bytes.length) return undefined;
    const length = this.bytes.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (start + length > this.bytes.length) return undefined;
    this.offset = start + length;
    return this.bytes.subarray(start, start + length);
  }

  get done(): boolean {
    return this.offset === this.bytes.length;
  }
}

/** Bits of a positive mpint (leading zero bytes do not count). */
function mpintBits(value: Buffer): number {
  let index = 0;
  while (index < value.length && value[index] === 0) index++;
  if (index === value.length) return 0;
  return (value.length - index - 1) * 8 + (32 - Math.clz32(value[index]!));
}

/** Why a key blob is not a key of `type`, or undefined when it is one. */
function blobProblem(type: string, blob: Buffer): string | undefined {
  const reader = new WireReader(blob);
  const declared = reader.string()?.toString("latin1");
  if (declared !== type)
    return `its data is ${declared === undefined ? "not SSH key data" : `a ${JSON.stringify(declared)} key`}, not ${type}`;
  const fields: (Buffer | undefined)[] = [];
  const read = (count: number) => {
    for (let i = 0; i < count; i++) fields.push(reader.string());
    return fields.every((field) => field !== undefined) && reader.done;
  };
  if (type === "ssh-ed25519" || type === "sk-ssh-ed25519@openssh.com") {
    if (!read(type === "ssh-ed25519" ? 1 : 2) || fields[0]!.length !== ED25519_KEY_BYTES) return "its data is not a 32-byte Ed25519 key";
    return undefined;
  }
  if (type === "ssh-rsa") {
    if (!read(2)) return "its data is not an RSA exponent and modulus";
    const bits = mpintBits(fields[1]!);
    return bits < MIN_RSA_BITS ? `its RSA modulus has ${bits} bits; OpenSSH refuses fewer than ${MIN_RSA_BITS}` : undefined;
  }
  const ecdsa = ECDSA_CURVES[type];
  if (ecdsa) {
    if (!read(type.startsWith("sk-") ? 3 : 2)) return "its data is not an ECDSA curve and point";
    if (fields[0]!.toString("latin1") !== ecdsa.curve) return `its curve is not ${ecdsa.curve}`;
    if (fields[1]!.length !== ecdsa.pointBytes || fields[1]![0] !== 0x04) return `its point is not an uncompressed ${ecdsa.curve} point`;
    return undefined;
  }
  return undefined;
}

export const SSH_KEY_TYPES = ["ssh-ed25519", "ssh-rsa", ...Object.keys(ECDSA_CURVES), "sk-ssh-ed25519@openssh.com"] as const;

/**
 * Why a line is not an OpenSSH public key, or undefined when it is one: `<type> <base64> [comment]`,
 * a type sshd accepts, and a blob that decodes to a key of that type.
 */
export function sshPublicKeyProblem(line: string): string | undefined {
  const [type, data] = line.trim().split(/\s+/);
  if (type === undefined || data === undefined) return 'expected "<type> <base64 key> [comment]"';
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type))
    return `${JSON.stringify(type)} is not a key type sshd accepts (${SSH_KEY_TYPES.join(", ")})`;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data) || data.length % 4 !== 0) return "the key data is not base64";
  return blobProblem(type, Buffer.from(data, "base64"));
}
