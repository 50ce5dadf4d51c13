import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PAPERCLIP_HOME } from "../paperclip/paperclipSettings";
import { childOptions } from "./childOptions";
import { GATEWAY_URL_ENV } from "../paperclip/paperclipSettings";

/**
 * The operator's CLIs in the shell read the gateway's key as a bearer token (Claude Code) and as
 * OpenAI's key (SDKs). No Paperclip server runs here, so OPENAI_API_KEY is sent to OPENAI_BASE_URL only.
 */
const SHELL_GATEWAY_KEY_ENV = ["ANTHROPIC_AUTH_TOKEN", "OPENAI_API_KEY"] as const;
import { resourceRequirements, restrictedContainerSecurityContext, secretEnv, type SecretKeyRef } from "./podSpec";
import { renderShellInventory, type ShellInventory } from "./shellInventory";

/** Mosh's UDP ports (mosh-server picks one per session): 16 concurrent sessions. */
export const MOSH_PORTS = { first: 60000, last: 60015 } as const;

export interface PaperclipShellArgs {
  namespace: string;
  /** The Paperclip workload's name: the Service selects its pod (`app: <appName>`). */
  appName: string;
  /** The sidecar image (sshd, mosh, tmux and the runtime managers; its own release cadence). */
  image: pulumi.Input<string>;
  /** The second LoadBalancer address: TCP 22 and UDP 60000-60015. */
  loadBalancerIP: string;
  /**
   * The port sshd listens on inside the image: 2222 in the agent-shell-base family (non-root sshd).
   * The Service still answers on 22.
   */
  sshPort: number;
  /** Size of the home volume (/home/agent: dotfiles, tmux state, installed tools). */
  homeSize: string;
  storageClassName?: string;
  /** Public keys allowed to log in (/etc/ssh-keys/authorized_keys). */
  authorizedKeys: readonly string[];
  inventory: ShellInventory;
  /** Name of Paperclip's data volume in the pod, shared read-write at /paperclip. */
  dataVolumeName: string;
  /**
   * The model gateway, for the agent CLIs the operator runs here (claude, codex from the inventory):
   * the same base URLs and gateway key Paperclip's agents get, and no other credential (Principle 3).
   */
  gateway: { baseUrl: string; key: SecretKeyRef };
  /** The egress proxy's variables (HTTP(S)_PROXY, NO_PROXY): the pod's only road to the internet. */
  proxyEnv?: Readonly<Record<string, string>>;
}

/**
 * The operator's SSH/mosh shell, as a sidecar in Paperclip's pod (the homelab seed): a separate
 * image, sharing only the /paperclip volume (group-writable through the pod's fsGroup 1000), with
 * its own ReadWriteOnce home volume, its tool inventory and authorized keys in ConfigMaps, and its
 * own LoadBalancer address for TCP 22 (to sshd's port in the image) + UDP 60000-60015 (one
 * mixed-protocol Service). It gets none
 * of Paperclip's environment but the model gateway's URLs and key: agents run in this shell too (the
 * seed's "24/7 agentic work"), so they take the same road to a model. This component declares the volume,
 * ConfigMaps and Service; `container` and `volumes` go into the Paperclip workload's pod.
 */
export class PaperclipShell extends pulumi.ComponentResource {
  readonly container: k8s.types.input.core.v1.Container;
  readonly volumes: k8s.types.input.core.v1.Volume[];
  /** Objects the pod needs before it can start. */
  readonly prerequisites: pulumi.Resource[];
  readonly service: k8s.core.v1.Service;

  constructor(name: string, args: PaperclipShellArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:kubernetes:PaperclipShell", name, {}, opts);
    const shellName = `${args.appName}-shell`;
    const labels = { app: args.appName, "app.kubernetes.io/name": "paperclip-shell", "app.kubernetes.io/instance": shellName };

    const home = new k8s.core.v1.PersistentVolumeClaim(
      `${name}-home`,
      {
        metadata: { name: `${shellName}-home`, namespace: args.namespace, labels },
        spec: {
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: args.homeSize } },
          ...(args.storageClassName ? { storageClassName: args.storageClassName } : {}),
        },
      },
      childOptions(this, opts, [], { retainOnDelete: true }),
    );
    const inventory = new k8s.core.v1.ConfigMap(
      `${name}-inventory`,
      {
        metadata: { name: `${shellName}-inventory`, namespace: args.namespace, labels },
        data: { "inventory.yaml": renderShellInventory(args.inventory) },
      },
      childOptions(this, opts),
    );
    const keys = new k8s.core.v1.ConfigMap(
      `${name}-ssh-keys`,
      {
        metadata: { name: `${shellName}-ssh-keys`, namespace: args.namespace, labels },
        data: { authorized_keys: `${args.authorizedKeys.join("\n")}\n` },
      },
      childOptions(this, opts),
    );
    this.prerequisites = [home, inventory, keys];

    const moshPorts = Array.from({ length: MOSH_PORTS.last - MOSH_PORTS.first + 1 }, (_, i) => MOSH_PORTS.first + i);
    this.container = {
      name: shellName,
      image: args.image,
      imagePullPolicy: "IfNotPresent",
      ports: [
        { name: "ssh", containerPort: args.sshPort, protocol: "TCP" },
        ...moshPorts.map((port) => ({ name: `mosh-${port}`, containerPort: port, protocol: "UDP" })),
      ],
      env: [
        ...GATEWAY_URL_ENV.map((name) => ({ name, value: args.gateway.baseUrl })),
        ...SHELL_GATEWAY_KEY_ENV.map((name) => secretEnv(name, args.gateway.key)),
        ...Object.entries(args.proxyEnv ?? {}).map(([name, value]) => ({ name, value })),
      ],
      resources: resourceRequirements({ cpuRequest: "50m", cpuLimit: "2", memoryRequest: "128Mi", memoryLimit: "2Gi" }),
      securityContext: restrictedContainerSecurityContext(),
      volumeMounts: [
        { name: "shell-home", mountPath: "/home/agent" },
        { name: args.dataVolumeName, mountPath: PAPERCLIP_HOME },
        { name: "shell-ssh-keys", mountPath: "/etc/ssh-keys", readOnly: true },
        { name: "shell-inventory", mountPath: "/etc/paperclip-shell", readOnly: true },
      ],
      // No readiness probe: a pod is ready only when every container is, and the operator's shell
      // (installing its inventory on boot) must never take Paperclip out of its Service.
    };
    this.volumes = [
      { name: "shell-home", persistentVolumeClaim: { claimName: `${shellName}-home` } },
      { name: "shell-ssh-keys", configMap: { name: `${shellName}-ssh-keys` } },
      { name: "shell-inventory", configMap: { name: `${shellName}-inventory` } },
    ];

    this.service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: { name: shellName, namespace: args.namespace, labels },
        spec: {
          type: "LoadBalancer",
          loadBalancerIP: args.loadBalancerIP,
          selector: { app: args.appName },
          ports: [
            { name: "ssh", port: 22, targetPort: "ssh", protocol: "TCP" },
            ...moshPorts.map((port) => ({ name: `mosh-${port}`, port, targetPort: port, protocol: "UDP" })),
          ],
        },
      },
      childOptions(this, opts),
    );
    this.registerOutputs({ loadBalancerIP: args.loadBalancerIP });
  }
}
