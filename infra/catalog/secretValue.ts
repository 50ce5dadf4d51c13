import { createHash } from "node:crypto";

/**
 * Where a secret environment value or secret file comes from. Catalogue entries only *describe*
 * secrets; the Harness turns each description into a Pulumi secret Output (Secret32, config, or a
 * composition) and delivers it as a Podman secret. No value is ever known to the catalogue.
 */

/** Brand that tells a secret description apart from plain data inside a JSON document. */
const SECRET_VALUE: unique symbol = Symbol("harness.secretValue");

export type SecretValue =
  | GeneratedSecretValue
  | OperatorSecretValue
  | ProvidedSecretValue
  | TemplateSecretValue
  | JsonSecretValue
  | EnvironmentFileSecretValue
  | DigestSecretValue;

interface Branded {
  readonly [SECRET_VALUE]: true;
}

export interface GeneratedSecretValue extends Branded {
  readonly kind: "generated";
  /** Name of a generated secret declared by some service's `generatedSecrets`. */
  readonly name: string;
  readonly encoding: "hex" | "base64";
}

export interface OperatorSecretValue extends Branded {
  readonly kind: "operator";
  /** Config key (without namespace) of an operator credential; `path` selects inside an object key. */
  readonly key: string;
  readonly path?: string;
  /** When the operator has not configured it, the variable or file that uses it is left out. */
  readonly optional?: boolean;
}

/**
 * A secret another part of the stack produces (for example the Cloudflare Tunnel's token for the host
 * cloudflared unit). The target supplies it by name when it declares resources.
 */
export interface ProvidedSecretValue extends Branded {
  readonly kind: "provided";
  readonly name: string;
}

export interface TemplateSecretValue extends Branded {
  readonly kind: "template";
  readonly strings: readonly string[];
  readonly values: readonly SecretValue[];
}

/** JSON data with secret leaves; serialized (pretty, stable) once the leaves are resolved. */
export type SecretDocument =
  SecretValue | string | number | boolean | null | readonly SecretDocument[] | { readonly [key: string]: SecretDocument };

export interface JsonSecretValue extends Branded {
  readonly kind: "json";
  readonly document: SecretDocument;
}

/**
 * A systemd environment file (`NAME="value"` lines) whose values are secrets: how a host service
 * (not a container) receives its secrets.
 */
export interface EnvironmentFileSecretValue extends Branded {
  readonly kind: "environment-file";
  readonly entries: Readonly<Record<string, SecretValue>>;
}

/** The lower-case hex SHA-512 of a secret (a password file stores it instead of the password). */
export interface DigestSecretValue extends Branded {
  readonly kind: "sha512-hex";
  readonly value: SecretValue;
}

export function isSecretValue(value: unknown): value is SecretValue {
  return typeof value === "object" && value !== null && SECRET_VALUE in value;
}

/** A generated 32-byte secret, by name. */
export function generated(name: string, encoding: "hex" | "base64" = "hex"): SecretValue {
  return { [SECRET_VALUE]: true, kind: "generated", name, encoding };
}

/** An operator credential from the stack config (`pulumi config set --secret <key>`). */
export function operator(key: string, options: { path?: string; optional?: boolean } = {}): SecretValue {
  return { [SECRET_VALUE]: true, kind: "operator", key, ...options };
}

/** A secret produced elsewhere in the stack, supplied by the target by name. */
export function provided(name: string): SecretValue {
  return { [SECRET_VALUE]: true, kind: "provided", name };
}

/** A secret composed of text and other secrets: secretTemplate`postgres://u:${generated("db")}@db/app`. */
export function secretTemplate(strings: TemplateStringsArray, ...values: SecretValue[]): SecretValue {
  return { [SECRET_VALUE]: true, kind: "template", strings: [...strings], values };
}

/** A JSON document (for example Paperclip's config.json) that contains secrets. */
export function secretJson(document: SecretDocument): SecretValue {
  return { [SECRET_VALUE]: true, kind: "json", document };
}

/** An environment file for a host service, from its secret variables. */
export function secretEnvironmentFile(entries: Readonly<Record<string, SecretValue>>): SecretValue {
  for (const name of Object.keys(entries)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid environment variable name ${JSON.stringify(name)}`);
  }
  return { [SECRET_VALUE]: true, kind: "environment-file", entries };
}

/** The hex SHA-512 of a secret. */
export function secretSha512Hex(value: SecretValue): SecretValue {
  return { [SECRET_VALUE]: true, kind: "sha512-hex", value };
}

/** Text and secrets joined in order (secretTemplate, for parts assembled by code). */
export function secretConcat(parts: readonly (string | SecretValue)[]): SecretValue {
  const strings: string[] = [""];
  const values: SecretValue[] = [];
  for (const part of parts) {
    if (typeof part === "string") strings[strings.length - 1] += part;
    else {
      values.push(part);
      strings.push("");
    }
  }
  return { [SECRET_VALUE]: true, kind: "template", strings, values };
}

/** The secret leaves of a value, depth first. */
export type SecretLeaf = GeneratedSecretValue | OperatorSecretValue | ProvidedSecretValue;

export function leavesOf(value: SecretValue): SecretLeaf[] {
  switch (value.kind) {
    case "generated":
    case "operator":
    case "provided":
      return [value];
    case "template":
      return value.values.flatMap(leavesOf);
    case "json":
      return documentLeaves(value.document);
    case "environment-file":
      return Object.values(value.entries).flatMap(leavesOf);
    case "sha512-hex":
      return leavesOf(value.value);
  }
}

/**
 * The literal text around a secret's leaves (a template's strings, a secret document's plain
 * strings), never a secret's value: where a setting names another service inside a secret.
 */
export function literalStringsOf(value: SecretValue): string[] {
  switch (value.kind) {
    case "template":
      return [...value.strings, ...value.values.flatMap(literalStringsOf)];
    case "json":
      return documentStrings(value.document);
    case "environment-file":
      return Object.values(value.entries).flatMap(literalStringsOf);
    default:
      return [];
  }
}

function documentStrings(document: SecretDocument): string[] {
  if (typeof document === "string") return [document];
  if (isSecretValue(document)) return literalStringsOf(document);
  if (Array.isArray(document)) return document.flatMap(documentStrings);
  if (document !== null && typeof document === "object")
    return Object.values(document as Record<string, SecretDocument>).flatMap(documentStrings);
  return [];
}

function documentLeaves(document: SecretDocument): SecretLeaf[] {
  if (isSecretValue(document)) return leavesOf(document);
  if (Array.isArray(document)) return document.flatMap(documentLeaves);
  if (document !== null && typeof document === "object") {
    return Object.values(document as Record<string, SecretDocument>).flatMap(documentLeaves);
  }
  return [];
}

/**
 * Resolves a description to its value, given how to resolve the leaves. Generic so the Harness can
 * resolve to Pulumi Outputs and tests can resolve to strings with the same code.
 */
export function resolveSecret(value: SecretValue, leaf: (leaf: SecretLeaf) => string): string {
  switch (value.kind) {
    case "generated":
    case "operator":
    case "provided":
      return leaf(value);
    case "template":
      return value.strings.reduce(
        (text, part, i) => text + part + (i < value.values.length ? resolveSecret(value.values[i]!, leaf) : ""),
        "",
      );
    case "json":
      return `${JSON.stringify(resolveDocument(value.document, leaf), null, 2)}\n`;
    case "environment-file":
      return Object.entries(value.entries)
        .map(([name, entry]) => `${name}=${environmentFileValue(name, resolveSecret(entry, leaf))}\n`)
        .join("");
    case "sha512-hex":
      return createHash("sha512").update(resolveSecret(value.value, leaf)).digest("hex");
  }
}

/**
 * A double-quoted value as systemd's EnvironmentFile= reads it: backslash and quote escaped, no `$`
 * expansion. A line break cannot be represented; the error names the variable, never the value.
 */
function environmentFileValue(name: string, value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error(`environment file: the value of ${name} contains a control character`);
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

function resolveDocument(document: SecretDocument, leaf: (leaf: SecretLeaf) => string): unknown {
  if (isSecretValue(document)) return resolveSecret(document, leaf);
  if (Array.isArray(document)) return (document as readonly SecretDocument[]).map((d) => resolveDocument(d, leaf));
  if (document !== null && typeof document === "object") {
    return Object.fromEntries(Object.entries(document as Record<string, SecretDocument>).map(([k, v]) => [k, resolveDocument(v, leaf)]));
  }
  return document;
}
