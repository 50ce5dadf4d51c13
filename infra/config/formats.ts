/**
 * Value formats shared by the stack-config schema. Each validator's message says what was expected,
 * because the error a user sees is "<key> = <value>: <message>".
 */
import { z } from "zod";
import { PODMAN_MINOR_VERSIONS } from "../../components/podman/quadletKeys";

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A lower-case DNS name with at least two labels (RFC 1123 host names, no trailing dot). */
export function isDnsName(value: string): boolean {
  if (value.length > 253 || value !== value.toLowerCase()) return false;
  const labels = value.split(".");
  return labels.length >= 2 && labels.every((label) => DNS_LABEL.test(label)) && !/^\d+$/.test(labels.at(-1)!);
}

/** A single DNS label: the part of a host name between dots. */
export function isDnsLabel(value: string): boolean {
  return DNS_LABEL.test(value);
}

export function isIPv4(value: string): boolean {
  const parts = value.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

export const dnsName = z.string().refine(isDnsName, {
  error: 'expected a lower-case DNS name such as "example.com"',
});

/**
 * A host the egress proxy judges: `name` is that host, `.name` that host and every host under it
 * (Squid's dstdomain notation).
 */
export function isEgressHostPattern(value: string): boolean {
  return isDnsName(value.startsWith(".") ? value.slice(1) : value);
}

export const egressHostPattern = z.string().refine(isEgressHostPattern, {
  error:
    'expected a lower-case host name such as "docs.anthropic.com", or ".example.com" for a domain and every host under it (no scheme, port or path)',
});

export const dnsLabel = z.string().refine(isDnsLabel, {
  error: 'expected a DNS label: lower-case letters, digits and "-", 1-63 characters, such as "paperclip"',
});

export const hostAddress = z.string().refine((v) => isDnsName(v) || isIPv4(v) || isDnsLabel(v), {
  error: 'expected a host name or IPv4 address such as "harness.example.com" or "192.0.2.10"',
});

export const port = z
  .number({ error: "expected a port number (an integer from 1 to 65535)" })
  .int({ error: "expected a port number (an integer from 1 to 65535)" })
  .min(1, { error: "expected a port number (an integer from 1 to 65535)" })
  .max(65535, { error: "expected a port number (an integer from 1 to 65535)" });

export function isIPv4Cidr(value: string): boolean {
  const [address, bits, ...rest] = value.split("/");
  if (rest.length > 0 || address === undefined || bits === undefined || !isIPv4(address)) return false;
  if (!/^\d{1,2}$/.test(bits) || Number(bits) > 32) return false;
  // The address must be the network address, or Podman rejects the subnet.
  const ip = address.split(".").reduce((acc, octet) => (acc << 8) + Number(octet), 0) >>> 0;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (ip & mask) >>> 0 === ip;
}

export const ipv4Cidr = z.string().refine(isIPv4Cidr, {
  error: 'expected an IPv4 network in CIDR notation with host bits zero, such as "10.89.0.0/24"',
});

/** A POSIX user name, as accepted by useradd's default NAME_REGEX. */
export const posixUserName = z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, {
  error: 'expected a POSIX user name such as "harness"',
});

export const podmanVersion = z.enum(PODMAN_MINOR_VERSIONS, {
  error: `expected a Podman major.minor version the Quadlet key table knows: ${PODMAN_MINOR_VERSIONS.join(", ")}`,
});

/**
 * A fully-qualified container image reference: registry host, repository path, and a tag and/or
 * digest. Short names ("postgres:16") fail under non-interactive pulls with short-name policy
 * enforcement (the seeds' lesson), so they are rejected here.
 */
export function parseImageReference(value: string): { registry: string; repository: string; tag?: string; digest?: string } | undefined {
  const match =
    /^(?<registry>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?)\/(?<repository>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/.exec(
      value,
    );
  const groups = match?.groups;
  if (!groups) return undefined;
  const registry = groups.registry!;
  const qualified = registry.includes(".") || registry.includes(":") || registry === "localhost";
  if (!qualified) return undefined;
  if (!groups.tag && !groups.digest) return undefined;
  return {
    registry,
    repository: groups.repository!,
    ...(groups.tag ? { tag: groups.tag } : {}),
    ...(groups.digest ? { digest: groups.digest } : {}),
  };
}

export const imageReference = z.string().refine((v) => parseImageReference(v) !== undefined, {
  error:
    'expected a fully-qualified image reference with a tag or digest, such as "docker.io/library/postgres:16" or "ghcr.io/org/app@sha256:<64 hex>"',
});

const PLACEHOLDER_PATTERNS = [
  /change[-_ ]?me/i,
  /replace[-_ ]?me/i,
  /^<.*>$/,
  /^(todo|tbd|fixme|xxx+|placeholder|secret|password|dummy|example|test)$/i,
  /your[-_ ].*(key|token|secret|password)/i,
];

/** True when a value is an obvious stand-in for a real credential (e.g. `CHANGEME-BETTER-AUTH-32-BYTE-HEX`). */
export function looksLikePlaceholder(value: string): boolean {
  const trimmed = value.trim();
  return trimmed === "" || PLACEHOLDER_PATTERNS.some((pattern) => pattern.test(trimmed));
}

/** An environment variable name, as Podman and Kubernetes accept it. */
export const environmentVariableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  error: 'expected an environment variable name such as "LOG_LEVEL"',
});
