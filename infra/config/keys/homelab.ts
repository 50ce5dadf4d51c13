/** Keys of the `homelab` target: Paperclip on any Kubernetes cluster (system.md §8, the "Frank" seed). */
import { z } from "zod";
import { EXTERNAL_SECRETS, externalSecretsApiVersion } from "../../../components/kubernetes/platformVersions";
import { hostAddress, imageReference, isIPv4, parseImageReference } from "../formats";
import { sshPublicKeyProblem } from "../sshPublicKey";
import { key } from "../keySpec";
import { httpUrl, kubernetesObjectName, memoryQuantity } from "./kubernetes";

const ipv4 = z.string().refine(isIPv4, { error: 'expected an IPv4 address such as "192.168.55.212"' });

/** A key in the external secret store (Infisical, Vault, …), as an ExternalSecret's remoteRef.key. */
const remoteKey = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_./-]*$/, {
  error: 'expected a key of the secret store such as "PAPERCLIP_LITELLM_KEY"',
});

const packageList = z.array(z.string().min(1, { error: "expected a package name" }), { error: "expected a list of packages" });

/** The shell sidecar's tool inventory, grouped by manager (the seed's layer 2). */
export const shellInventory = z
  .object({
    mise: packageList.optional(),
    "npm-global": packageList.optional(),
    pipx: packageList.optional(),
    cargo: packageList.optional(),
    removed: z
      .object({
        mise: packageList.optional(),
        "npm-global": packageList.optional(),
        pipx: packageList.optional(),
        cargo: packageList.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * Images of derio-net/agent-images (the seed's shell and its base): its build workflow tags each
 * image with the full 40-character commit SHA and `latest`, nothing else.
 */
const AGENT_IMAGES_REPOSITORY =
  /^ghcr\.io\/derio-net\/(agent-base|agent-shell-base|paperclip-shell|ruflo-shell|ruflo-server|secure-agent-kali|vk-local)$/;

/** Why an image reference names a tag its repository never publishes, if it does. */
export function unpublishedTagProblem(image: string): string | undefined {
  const parsed = parseImageReference(image);
  if (parsed === undefined || parsed.digest !== undefined || parsed.tag === undefined) return undefined;
  if (!AGENT_IMAGES_REPOSITORY.test(`${parsed.registry}/${parsed.repository}`)) return undefined;
  if (/^[0-9a-f]{40}$/.test(parsed.tag) || parsed.tag === "latest") return undefined;
  return `expected a tag derio-net/agent-images publishes: the full 40-character commit SHA (or "latest"), not ${JSON.stringify(parsed.tag)}; or pin a digest`;
}

const sshPublicKey = z.string({ error: "expected an SSH public key line" }).superRefine((line, context) => {
  const problem = sshPublicKeyProblem(line);
  if (problem !== undefined)
    context.addIssue({
      code: "custom",
      message: `expected an OpenSSH public key ("ssh-ed25519 AAAA… me@laptop", as ssh-keygen writes it): ${problem}`,
    });
});

/** The agent-shell-base family runs sshd on 2222 (its sshd_config `Port 2222`, `EXPOSE 2222`). */
export const SHELL_SSH_PORT = 2222;

export const shellSidecar = z
  .object({
    image: imageReference.superRefine((image, context) => {
      const problem = unpublishedTagProblem(image);
      if (problem !== undefined) context.addIssue({ code: "custom", message: problem });
    }),
    loadBalancerIP: ipv4,
    homeSize: memoryQuantity.default("20Gi"),
    sshPort: z
      .number({ error: "expected the port sshd listens on in the image, such as 2222" })
      .int({ error: "expected a whole port number" })
      .min(1024, { error: "expected a port of 1024 or above: the shell runs as uid 1000 without capabilities" })
      .max(65535, { error: "expected a port number up to 65535" })
      .default(SHELL_SSH_PORT),
    authorizedKeys: z
      .array(sshPublicKey, { error: "expected a list of SSH public keys" })
      .min(1, { error: "expected at least one SSH public key: sshd accepts keys only" }),
    inventory: shellInventory.default({}),
  })
  .strict();

export type ShellSidecarConfig = z.infer<typeof shellSidecar>;

export const homelabKeys = {
  loadBalancerIP: key({
    kind: "string",
    description:
      "The fixed LAN address of Paperclip's LoadBalancer Service (the seed's 192.168.55.212, port 3100; Cilium LB-IPAM, MetalLB and kube-vip honour it). Unset: a ClusterIP Service, reached with `kubectl port-forward svc/paperclip 3100` at http://localhost:3100 unless publicUrl says otherwise.",
    targets: ["homelab"],
    schema: ipv4,
    example: "192.168.55.212",
  }),
  publicUrl: key({
    kind: "string",
    description:
      "The URL users open; default http://<loadBalancerIP>:3100, or http://localhost:3100 without one. Its host is allowed by Paperclip's hostname guard.",
    targets: ["homelab"],
    schema: httpUrl,
    example: "https://paperclip.frank.lan",
  }),
  allowedHostnames: key({
    kind: "array",
    description: "More host names Paperclip's hostname guard admits (private exposure), besides the public URL's and the LoadBalancer IP.",
    targets: ["homelab"],
    items: "string",
    schema: z.array(hostAddress, { error: "expected a list of host names" }),
    example: "[paperclip.frank.lan]",
  }),
  egressProxyImage: key({
    kind: "string",
    description:
      "The image of the agents' egress proxy in the namespace (docs/egress.md): one with Squid, sh, mkfifo and cat, such as Canonical's ubuntu/squid.",
    targets: ["homelab"],
    default: "docker.io/ubuntu/squid:6.6-24.04_beta",
    schema: imageReference.default("docker.io/ubuntu/squid:6.6-24.04_beta"),
  }),
  egressMode: key({
    kind: "string",
    description:
      "How the agents' egress is bounded (docs/egress.md): `proxy`, the egress proxy in the namespace (Squid: every name but the model providers'); `cilium`, for a cluster whose network plugin is Cilium with its DNS proxy: no proxy, a CiliumNetworkPolicy that admits only the agents' default hosts (git hosts, package registries) and egressAllowHosts by name (toFQDNs, ports 80 and 443), where an entry that admits a model provider's host is refused.",
    targets: ["homelab"],
    default: "proxy",
    schema: z.enum(["proxy", "cilium"], { error: 'expected "proxy" or "cilium"' }).default("proxy"),
  }),
  pinToNode: key({
    kind: "string",
    description:
      "Pin Paperclip to this node (kubernetes.io/hostname), with a defensive nvidia.com/gpu:NoSchedule toleration in case the GPU operator re-taints it. The seed pins to gpu-1, the cluster's biggest RAM box.",
    targets: ["homelab"],
    schema: kubernetesObjectName,
    example: "gpu-1",
  }),
  externalSecretStore: key({
    kind: "string",
    description:
      "The ClusterSecretStore (External Secrets Operator) that holds the operator's credentials (Infisical in the seed). Unset, for a cluster without External Secrets: the stack generates BETTER_AUTH_SECRET and takes gatewayKey as a Pulumi secret.",
    targets: ["homelab"],
    schema: kubernetesObjectName,
    example: "infisical",
  }),
  externalSecretsVersion: key({
    kind: "string",
    description: `The External Secrets Operator release on the cluster (\`kubectl get deploy -n external-secrets -o wide\`): it decides the ExternalSecret API version (external-secrets.io/v1 from 0.16.0, the only one served from 0.17.0; v1beta1 before). Supported from ${EXTERNAL_SECRETS.minimum}.`,
    targets: ["homelab"],
    default: EXTERNAL_SECRETS.default,
    schema: z
      .string()
      .refine((v) => externalSecretsApiVersion(v) !== undefined, {
        error: `expected an External Secrets release such as "${EXTERNAL_SECRETS.default}", ${EXTERNAL_SECRETS.minimum} or later (older releases lack fields this stack sets)`,
      })
      .default(EXTERNAL_SECRETS.default),
  }),
  gatewayKeyRemoteRef: key({
    kind: "string",
    description:
      "Store key of the LiteLLM key agents present to the gateway (ANTHROPIC_API_KEY and GATEWAY_API_KEY; never a provider's key).",
    targets: ["homelab"],
    default: "PAPERCLIP_LITELLM_KEY",
    schema: remoteKey.default("PAPERCLIP_LITELLM_KEY"),
  }),
  authSecretRemoteRef: key({
    kind: "string",
    description:
      "Store key of the auth secret, delivered as PAPERCLIP_AGENT_JWT_SECRET (signs sessions and agents' run tokens; rotating it logs everyone out).",
    targets: ["homelab"],
    default: "PAPERCLIP_BETTER_AUTH_SECRET",
    schema: remoteKey.default("PAPERCLIP_BETTER_AUTH_SECRET"),
  }),
  braveApiKeyRemoteRef: key({
    kind: "string",
    description:
      "Store key of the Brave Search API key (BRAVE_API_KEY) for agents' web search; unset leaves search off. Optional in the pod.",
    targets: ["homelab"],
    schema: remoteKey,
    example: "BRAVE_SEARCH_KEY_PAPERCLIP",
  }),
  resendApiKeyRemoteRef: key({
    kind: "string",
    description:
      "Store key of the Resend API key (RESEND_API_KEY) for agents' transactional email; unset leaves it off. Optional in the pod. It is a mail road that bypasses email_outbox: see docs/kubernetes.md.",
    targets: ["homelab"],
    schema: remoteKey,
    example: "EMAIL_RESEND_API_KEY",
  }),
  shellSidecar: key({
    kind: "object",
    description:
      "The operator's SSH/mosh shell sidecar: {image, loadBalancerIP, homeSize, sshPort, authorizedKeys, inventory}. It shares /paperclip, has its own home volume and a second LoadBalancer IP (TCP 22 to the image's sshd on sshPort, default 2222; UDP 60000-60015). Images of derio-net/agent-images are tagged with full commit SHAs; keys must parse as OpenSSH public keys.",
    targets: ["homelab"],
    schema: shellSidecar,
    example:
      "{image: ghcr.io/derio-net/paperclip-shell:<40-char commit sha>, loadBalancerIP: 192.168.55.221, authorizedKeys: [ssh-ed25519 AAAA…]}",
  }),
};
