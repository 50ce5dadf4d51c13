import type { StackValidationPolicy } from "@pulumi/policy";
import { reasonProperty, settingsOf, type DefaultedSchema } from "../lib/config";
import { stackResources } from "../lib/plain";
import { readStack, type Workload } from "../lib/workloads";

interface DirectPorts {
  service: string;
  ports: number[];
  reason: string;
}

interface Settings {
  directPorts: DirectPorts[];
}

const configSchema: DefaultedSchema = {
  properties: {
    directPorts: {
      type: "array",
      description:
        "Services whose ports are declared direct (open on the host's interfaces), each with the host ports and the reason. Everything else binds 127.0.0.1.",
      items: {
        type: "object",
        properties: {
          service: { type: "string", minLength: 1 },
          ports: { type: "array", items: { type: "integer", minimum: 1, maximum: 65535 }, minItems: 1 },
          reason: reasonProperty,
        },
        required: ["service", "ports", "reason"],
        additionalProperties: false,
      },
      default: [
        {
          service: "postfix",
          ports: [25, 465, 587],
          reason: "Mail from the internet and mail clients' submission: the mail stack's routing posture is direct.",
        },
        {
          service: "dovecot",
          ports: [143, 993],
          reason: "IMAP for the employees' mail clients: the mail stack's routing posture is direct.",
        },
      ],
    },
  },
};

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

function isDirect(workload: Workload, port: number | undefined, directPorts: readonly DirectPorts[]): boolean {
  return directPorts.some(
    (d) => (d.service === workload.name || d.service === workload.owner) && (port === undefined || d.ports.includes(port)),
  );
}

/**
 * Every service is reached through the Tunnel and Caddy (behind Access) or the container network;
 * a port published on all interfaces is reachable from the LAN or the internet around both. The
 * seeds bind 127.0.0.1 everywhere except the mail ports, whose posture is "direct".
 */
export const publishedPortsLoopback: StackValidationPolicy = {
  name: "published-ports-loopback",
  description:
    "Every published port binds the host's loopback (127.0.0.1) unless the service and port are declared direct (the mail ports), and no container shares the host's network.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["hardening"],
  remediationSteps:
    "Publish the port as 127.0.0.1:<host>:<container> (PublishPort=, or hostIP in Kubernetes) and reach it through Caddy and the Tunnel; if the service really must face the network, declare it in this policy's directPorts with the reason.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const { directPorts } = settingsOf<Settings>(args, configSchema);
    const model = readStack(stackResources(args.resources));
    if (!model.workloads.some((w) => !w.hostService && w.target !== "fly"))
      args.notApplicable("no containers publishing ports in this stack");
    for (const workload of model.workloads) {
      if (workload.hostService) continue;
      for (const port of workload.ports) {
        if (port.hostIp !== undefined && LOOPBACK.test(port.hostIp)) continue;
        if (port.hostPort !== undefined && isDirect(workload, port.hostPort, directPorts)) continue;
        const published = `${port.hostIp ?? "all interfaces"}:${port.hostPort ?? "(a random port)"} → ${port.containerPort}/${port.protocol}`;
        reportViolation(
          `${workload.label}: ${port.where} publishes ${published}, not bound to 127.0.0.1 and not declared direct.`,
          workload.urn,
        );
      }
      if (workload.hostNetwork && !isDirect(workload, undefined, directPorts)) {
        reportViolation(
          `${workload.label}: runs in the host's network namespace, so every port it listens on is open on the host's interfaces.`,
          workload.urn,
        );
      }
    }
  },
};
