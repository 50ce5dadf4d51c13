/** Keys of the `homelab` target: Paperclip on any Kubernetes cluster (system.md §8, the "Frank" seed). */
import { z } from "zod";
import { EXTERNAL_SECRETS, externalSecretsApiVersion } from "../../../components/kubernetes/platformVersions";
import { hostAddress, imageReference, isIPv4 } from "../formats";
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
      .object({ mise: packageList.optional(), "npm-global": packageList.optional(), pipx: packageList.optional(), cargo: packageList.optional() })
      .strict()
      .optional(),
  })
  .strict();

const SSH_PUBLIC_KEY = /^(ssh-(ed25519|rsa)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( \S.*)?$/;

export const shellSidecar = z
  .object({
    image: imageReference,
    loadBalancerIP: ipv4,
    homeSize: memoryQuantity.default("20Gi"),
    authorizedKeys: z
      .array(z.string().regex(SSH_PUBLIC_KEY, { error: 'expected an SSH public key line such as "ssh-ed25519 AAAA… me@laptop"' }), {
        error: "expected a list of SSH public keys",
      })
      .min(1, { error: "expected at least one SSH public key: sshd accepts keys only" }),
    inventory: shellInventory.default({}),
  })
  .strict();

export type ShellSidecarConfig = z.infer<typeof shellSidecar>;

export const homelabKeys = {
  loadBalancerIP: key({
    kind: "string",
    description: "The fixed LAN address of Paperclip's LoadBalancer Service (the seed's 192.168.55.212, port 3100).",
    targets: ["homelab"],
    required: true,
    schema: ipv4,
    example: "192.168.55.212",
  }),
  publicUrl: key({
    kind: "string",
    description: "The URL users open; default http://<loadBalancerIP>:3100. Its host is allowed by Paperclip's hostname guard.",
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
    description: "The ClusterSecretStore (External Secrets Operator) that holds the operator's credentials (Infisical in the seed).",
    targets: ["homelab"],
    required: true,
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
    description: "Store key of the LiteLLM key agents present to the gateway (ANTHROPIC_AUTH_TOKEN and OPENAI_API_KEY; never a provider's key).",
    targets: ["homelab"],
    default: "PAPERCLIP_LITELLM_KEY",
    schema: remoteKey.default("PAPERCLIP_LITELLM_KEY"),
  }),
  authSecretRemoteRef: key({
    kind: "string",
    description: "Store key of BETTER_AUTH_SECRET (signs sessions; rotating it logs everyone out).",
    targets: ["homelab"],
    default: "PAPERCLIP_BETTER_AUTH_SECRET",
    schema: remoteKey.default("PAPERCLIP_BETTER_AUTH_SECRET"),
  }),
  braveApiKeyRemoteRef: key({
    kind: "string",
    description: "Store key of the Brave Search API key (BRAVE_API_KEY) for agents' web search; unset leaves search off. Optional in the pod.",
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
      "The operator's SSH/mosh shell sidecar: {image, loadBalancerIP, homeSize, authorizedKeys, inventory}. It shares /paperclip, has its own home volume and a second LoadBalancer IP (TCP 22, UDP 60000-60015).",
    targets: ["homelab"],
    schema: shellSidecar,
    example: "{image: ghcr.io/derio-net/paperclip-shell:<sha>, loadBalancerIP: 192.168.55.221, authorizedKeys: [ssh-ed25519 AAAA…]}",
  }),
};
