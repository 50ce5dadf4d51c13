import { z } from "zod";
import { key } from "../keySpec";
import {
  dnsLabel,
  dnsName,
  environmentVariableName,
  hostAddress,
  imageReference,
  ipv4Cidr,
  podmanVersion,
  port,
  posixUserName,
} from "../formats";

/** A generated or operator-supplied secret an override adds to a service's environment. */
export const serviceSecretSource = z.union(
  [
    z.object({ generate: z.enum(["hex32", "base64-32"], { error: 'expected "hex32" or "base64-32"' }) }).strict(),
    z.object({ fromConfig: z.string({ error: "expected the name of an entry in extraSecrets" }) }).strict(),
  ],
  { error: "expected {generate: hex32|base64-32} or {fromConfig: <name of an extraSecrets entry>}" },
);

const environmentValue = z.union([z.string(), z.number(), z.boolean()], { error: "expected a string" }).transform(String);

export const serviceOverride = z
  .object({
    image: imageReference.optional(),
    env: z.record(environmentVariableName, environmentValue, { error: "expected a mapping of variable names to values" }).optional(),
    secrets: z
      .record(environmentVariableName, serviceSecretSource, { error: "expected a mapping of variable names to secret sources" })
      .optional(),
    disabled: z.boolean({ error: "expected true or false" }).optional(),
    subdomain: dnsLabel.optional(),
  })
  .strict();

export type ServiceOverride = z.infer<typeof serviceOverride>;

export const fedoraKeys = {
  domain: key({
    kind: "string",
    description: "The company's DNS zone; public services are published as <subdomain>.<domain>.",
    targets: ["fedora"],
    required: true,
    schema: dnsName,
    example: "sodimo.eu",
  }),
  sshHost: key({
    kind: "string",
    description: "Host name or address of the Fedora machine the harness runs on, reached over SSH.",
    targets: ["fedora"],
    required: true,
    schema: hostAddress,
  }),
  sshPort: key({
    kind: "integer",
    description: "SSH port of the Fedora host.",
    targets: ["fedora"],
    default: 22,
    schema: port.default(22),
  }),
  sshUser: key({
    kind: "string",
    description: "The unprivileged user that owns the rootless Podman harness (linger enabled); units go to its ~/.config.",
    targets: ["fedora"],
    required: true,
    schema: posixUserName,
  }),
  sshPrivateKey: key({
    kind: "string",
    description: "Private key that logs in as sshUser (the file without .pub).",
    targets: ["fedora"],
    required: true,
    secret: true,
    // The commonest mistake is pasting the public half; the key's format is otherwise SSH's to judge.
    schema: z.string().refine((v) => !/^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-\S+|sk-\S+) AAAA/.test(v.trim()), {
      error: "is a public key; expected the private key (the file without .pub)",
    }),
  }),
  podmanVersion: key({
    kind: "string",
    description: "Podman version on the host (major.minor). Quadlet keys newer than this are refused at render time.",
    targets: ["fedora"],
    default: "5.4",
    schema: podmanVersion.default("5.4"),
  }),
  restartTimeoutSeconds: key({
    kind: "integer",
    description:
      "Seconds a restarted unit has to become active, pass its health check and answer through Caddy before the update rolls it back to its previous files and secrets and fails (docs/upgrades.md).",
    targets: ["fedora"],
    default: 600,
    schema: z
      .number({ error: "expected a number of seconds" })
      .int({ error: "expected a whole number of seconds" })
      .min(10, { error: "expected at least 10 seconds" })
      .max(3600, { error: "expected at most 3600 seconds" })
      .default(600),
  }),
  networkName: key({
    kind: "string",
    description: "Prefix of the Podman networks' names (docs/fedora.md §Networks).",
    targets: ["fedora"],
    default: "harness",
    schema: dnsLabel.default("harness"),
  }),
  networkSubnet: key({
    kind: "string",
    description:
      "An address block the fedora networks' subnets are carved from, with the four other subnet keys (docs/fedora.md §Networks).",
    targets: ["fedora"],
    default: "10.89.0.0/24",
    schema: ipv4Cidr.default("10.89.0.0/24"),
  }),
  targetUnit: key({
    kind: "string",
    description: "Name of the systemd user target grouping every unit: `systemctl --user enable --now <name>.target` starts the harness.",
    targets: ["fedora"],
    default: "harness",
    schema: dnsLabel.default("harness"),
  }),
  services: key({
    kind: "object",
    description:
      "Per-service overrides keyed by catalogue name: image, env, secrets ({generate: hex32} or {fromConfig: <extraSecrets name>}), disabled, subdomain.",
    targets: ["fedora"],
    schema: z.record(z.string(), serviceOverride, { error: "expected a mapping of service names to overrides" }).default({}),
    example: "paperclip: {image: ghcr.io/acme/paperclip:v2, env: {LOG_LEVEL: debug}}",
  }),
  anthropicApiKey: key({
    kind: "string",
    description: "Anthropic API key. Held by LiteLLM only (Principle 3); never given to an agent runtime.",
    targets: ["fedora"],
    secret: true,
    schema: z.string(),
  }),
  openaiApiKey: key({
    kind: "string",
    description: "OpenAI API key. Held by LiteLLM only (Principle 3); never given to an agent runtime.",
    targets: ["fedora"],
    secret: true,
    schema: z.string(),
  }),
};

export { environmentVariableName };
