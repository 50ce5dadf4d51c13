import { z } from "zod";
import { dnsLabel, imageReference, isDnsName, parseImageReference } from "../formats";
import { key } from "../keySpec";
import { PAPERCLIP_RELEASE } from "../../../components/paperclip/paperclipRelease";
import { PAPERCLIP_MIN_MEMORY_MIB } from "../../../components/paperclip/paperclipSettings";

/** Fly.io region codes are three lower-case letters (cdg, sjc, fra, …). */
const flyRegion = z.string().regex(/^[a-z]{3}$/, { error: 'expected a Fly.io region code such as "cdg" (flyctl platform regions)' });

const flyOrg = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'expected a Fly.io organization slug such as "personal" (flyctl orgs list)' });

const FLY_VM_SIZES = [
  "shared-cpu-1x",
  "shared-cpu-2x",
  "shared-cpu-4x",
  "shared-cpu-8x",
  "performance-1x",
  "performance-2x",
  "performance-4x",
  "performance-8x",
] as const;

const MEMORY_MESSAGE = `expected at least ${PAPERCLIP_MIN_MEMORY_MIB} MB, in steps of 256 (at 512 MB the agent CLI is OOM-killed mid-response)`;
const vmMemoryMb = z
  .number({ error: MEMORY_MESSAGE })
  .int({ error: MEMORY_MESSAGE })
  .min(PAPERCLIP_MIN_MEMORY_MIB, { error: MEMORY_MESSAGE })
  .max(131072, { error: MEMORY_MESSAGE })
  .multipleOf(256, { error: MEMORY_MESSAGE });

const VOLUME_MESSAGE = "expected a volume size in GB, an integer from 1 to 500";
const volumeSizeGb = z
  .number({ error: VOLUME_MESSAGE })
  .int({ error: VOLUME_MESSAGE })
  .min(1, { error: VOLUME_MESSAGE })
  .max(500, { error: VOLUME_MESSAGE });

/** The tailnet's MagicDNS suffix: every tailnet's DNS name ends in ts.net. */
const tailnetDnsName = z.string().refine((v) => isDnsName(v) && v.endsWith(".ts.net"), {
  error: 'expected the tailnet DNS name from the admin console (DNS page), such as "tail1234ab.ts.net"',
});

/** An npm package pinned to one exact version: `name@1.2.3` or `@scope/name@1.2.3`. */
export const NPM_PINNED_PACKAGE = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*@\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const npmPinnedPackage = z.string().regex(NPM_PINNED_PACKAGE, {
  error: 'expected an npm package pinned to an exact version, such as "@anthropic-ai/claude-code@2.1.329"',
});

const exactVersion = z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, {
  error: `expected an exact version, such as "${PAPERCLIP_RELEASE.version}" (a range would rebuild a different Paperclip)`,
});

/** The image's PostgreSQL comes from Debian trixie (postgresql-17); another base would change the data's major version. */
const nodeTrixieImage = imageReference.refine((v) => parseImageReference(v)?.tag?.endsWith("-trixie-slim") ?? false, {
  error:
    'expected a node image tagged <version>-trixie-slim, such as "docker.io/library/node:24.21.0-trixie-slim" (the image installs trixie\'s postgresql-17)',
});

/** Tailscale key prefixes (tailscale.com/kb/1277): only an auth key joins a node. */
const tailscaleAuthKey = z.string().refine((v) => !/^tskey-(api|scim|webhook)-/.test(v.trim()), {
  error: "is a Tailscale API, SCIM or webhook key; expected a reusable auth key (tskey-auth-…, admin console → Settings → Keys)",
});

/** The Node the pinned paperclipai needs (paperclipRelease.ts), on Debian trixie (PostgreSQL 17). */
export const DEFAULT_FLY_NODE_IMAGE = `docker.io/library/node:${PAPERCLIP_RELEASE.nodeVersion}-trixie-slim`;
export const DEFAULT_FLY_TAILSCALE_IMAGE = "docker.io/tailscale/tailscale:v1.98.10";
export const DEFAULT_FLY_AGENT_PACKAGES = ["@anthropic-ai/claude-code@2.1.329"] as const;

export const flyKeys = {
  flyApp: key({
    kind: "string",
    description: "Fly.io app name. Also the machine's Tailscale host name, so Paperclip's URL is https://<flyApp>.<tailnetDnsName>.",
    targets: ["fly"],
    required: true,
    schema: dnsLabel,
    example: "sodimo-paperclip",
  }),
  flyOrg: key({
    kind: "string",
    description: "Fly.io organization that owns the app.",
    targets: ["fly"],
    default: "personal",
    schema: flyOrg.default("personal"),
  }),
  flyRegion: key({
    kind: "string",
    description: "Fly.io region of the machine and its volume (they must share one).",
    targets: ["fly"],
    required: true,
    schema: flyRegion,
    example: "cdg",
  }),
  flyVolumeSizeGb: key({
    kind: "integer",
    description:
      "Size of the paperclip_data volume (PostgreSQL, Paperclip's instance, agent workspaces, hourly database backups). Volumes grow, never shrink.",
    targets: ["fly"],
    default: 3,
    schema: volumeSizeGb.default(3),
  }),
  flyVmSize: key({
    kind: "string",
    description: "Fly.io machine size preset.",
    targets: ["fly"],
    default: "shared-cpu-1x",
    schema: z.enum(FLY_VM_SIZES, { error: `expected one of ${FLY_VM_SIZES.join(", ")}` }).default("shared-cpu-1x"),
  }),
  flyVmMemoryMb: key({
    kind: "integer",
    description: "Machine memory in MB: Paperclip, PostgreSQL, Tailscale and the agent CLI share it; 512 MB gets the agent CLI OOM-killed.",
    targets: ["fly"],
    default: PAPERCLIP_MIN_MEMORY_MIB,
    schema: vmMemoryMb.default(PAPERCLIP_MIN_MEMORY_MIB),
  }),
  flyNodeImage: key({
    kind: "string",
    description: "Base image of the Fly image: Node LTS, Debian trixie slim, pinned.",
    targets: ["fly"],
    default: DEFAULT_FLY_NODE_IMAGE,
    schema: nodeTrixieImage.default(DEFAULT_FLY_NODE_IMAGE),
  }),
  flyTailscaleImage: key({
    kind: "string",
    description: "Tailscale's own image, pinned, whose static tailscale and tailscaled binaries are copied into the Fly image.",
    targets: ["fly"],
    default: DEFAULT_FLY_TAILSCALE_IMAGE,
    schema: imageReference.default(DEFAULT_FLY_TAILSCALE_IMAGE),
  }),
  flyPaperclipVersion: key({
    kind: "string",
    description:
      "Version of the paperclipai npm package (Paperclip's CLI and server) installed in the Fly image. Default: the release every target runs (components/paperclip/paperclipRelease.ts).",
    targets: ["fly"],
    default: PAPERCLIP_RELEASE.version,
    schema: exactVersion.default(PAPERCLIP_RELEASE.version),
  }),
  flyAgentPackages: key({
    kind: "array",
    items: "string",
    description: "Agent CLIs installed globally in the Fly image, each an npm package at an exact version. Default: Claude Code.",
    targets: ["fly"],
    // The default lives in the schema only: Pulumi.yaml would apply it to every stack as JSON text.
    schema: z
      .array(npmPinnedPackage, { error: "expected a list of npm packages pinned to exact versions" })
      .default([...DEFAULT_FLY_AGENT_PACKAGES]),
    example: '["@anthropic-ai/claude-code@2.1.329", "@openai/codex@0.80.0"]',
  }),
  tailnetDnsName: key({
    kind: "string",
    description: "The tailnet's DNS name (admin console, DNS page). MagicDNS and HTTPS certificates must be enabled.",
    targets: ["fly"],
    required: true,
    schema: tailnetDnsName,
    example: "tail1234ab.ts.net",
  }),
  tailscaleAuthKey: key({
    kind: "string",
    description:
      "A reusable Tailscale auth key (a single-use key is spent on the first boot, and a machine that lost its state could never rejoin).",
    targets: ["fly"],
    required: true,
    secret: true,
    schema: tailscaleAuthKey,
  }),
  flyApiToken: key({
    kind: "string",
    description: "Fly.io API token flyctl deploys with (fly tokens create deploy, or an org token while the app does not exist yet).",
    targets: ["fly"],
    required: true,
    secret: true,
    schema: z.string(),
  }),
  directClaudeSubscription: key({
    kind: "boolean",
    description:
      "Opt-in exception to Principle 3: Claude Code talks to Anthropic directly with claudeCodeOauthToken (a subscription token) instead of through the gateway. The policy pack reports it.",
    targets: ["fly"],
    default: false,
    schema: z.boolean({ error: "expected true or false" }).default(false),
  }),
  claudeCodeOauthToken: key({
    kind: "string",
    description:
      "Claude subscription token (claude setup-token), used only with directClaudeSubscription: true. It bypasses the gateway: no spend log, and every agent holds it.",
    targets: ["fly"],
    secret: true,
    schema: z.string(),
  }),
};
