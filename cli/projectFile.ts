/**
 * Pulumi.yaml is generated from the configuration key registry, so what `pulumi config` documents
 * and what the program validates cannot drift apart. `npm run generate` rewrites it; a test fails
 * when the committed file is stale.
 *
 * Pulumi.yaml may declare string, integer, boolean and array keys (not objects), and a declared key
 * without a default is required on *every* stack. So it declares `target` (required everywhere) and
 * the keys that have defaults; target-specific required keys and structured keys are validated by
 * the program and documented in the README's configuration reference.
 */
import { stringify } from "yaml";
import { CONFIG_KEYS } from "../infra/config/keys";
import type { ConfigKeySpec } from "../infra/config/keySpec";

export function renderProjectFile(): string {
  const config: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(CONFIG_KEYS) as [string, ConfigKeySpec][]) {
    const declarable = spec.kind !== "object" && (name === "target" || spec.default !== undefined);
    if (!declarable) continue;
    config[name] = {
      type: spec.kind,
      description: spec.description,
      ...(spec.items ? { items: { type: spec.items } } : {}),
      ...(spec.default !== undefined ? { default: spec.default } : {}),
    };
  }
  const document = {
    name: "paperclip-harness",
    description:
      "Paperclip and its self-hosted harness on Fedora (rootless Podman Quadlets + Cloudflare), Fly.io, Sealos and Kubernetes, with policy packs for Principle 3.",
    runtime: {
      name: "nodejs",
      options: {
        // The runtime registers the project's ts-node (10.9.2, a devDependency) with its TypeScript 6.0.3.
        typescript: true,
        packagemanager: "npm",
      },
    },
    main: "infra/",
    stackConfigDir: "stacks",
    config,
  };
  return `# Generated from infra/config/keys by \`npm run generate\`; do not edit by hand.\n${stringify(document, { lineWidth: 0 })}`;
}
