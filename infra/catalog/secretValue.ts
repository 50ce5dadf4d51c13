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
  | JsonSecretValue;

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
  | SecretValue
  | string
  | number
  | boolean
  | null
  | readonly SecretDocument[]
  | { readonly [key: string]: SecretDocument };

export interface JsonSecretValue extends Branded {
  readonly kind: "json";
  readonly document: SecretDocument;
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
  }
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
  }
}

function resolveDocument(document: SecretDocument, leaf: (leaf: SecretLeaf) => string): unknown {
  if (isSecretValue(document)) return resolveSecret(document, leaf);
  if (Array.isArray(document)) return document.map((d) => resolveDocument(d, leaf));
  if (document !== null && typeof document === "object") {
    return Object.fromEntries(
      Object.entries(document as Record<string, SecretDocument>).map(([k, v]) => [k, resolveDocument(v, leaf)]),
    );
  }
  return document;
}
