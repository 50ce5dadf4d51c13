import type { StackValidationPolicy } from "@pulumi/policy";
import { settingsOf, type DefaultedSchema, type RoleMatcher } from "../lib/config";
import { agentRuntimes, runsAgents } from "../lib/gateway";
import { parseQuantity } from "../lib/kubernetes";
import { isUnknown, stackResources } from "../lib/plain";
import { agentRuntimesProperty } from "../lib/schemas";
import { readStack } from "../lib/workloads";

interface Settings {
  agentRuntimes: RoleMatcher;
  minimumMemory: string;
}

const configSchema: DefaultedSchema = {
  properties: {
    agentRuntimes: agentRuntimesProperty,
    minimumMemory: {
      type: "string",
      pattern: "^\\d+(\\.\\d+)?(Ki|Mi|Gi|Ti|k|K|M|G|T)?$",
      description: "Smallest memory limit an agent runtime may have (Kubernetes quantity).",
      default: "1Gi",
    },
  },
};

const gib = (bytes: number) => `${Math.round((bytes / 1024 ** 3) * 100) / 100} GiB`;

/**
 * The seeds measured it: 512 MiB gets the agent CLI OOM-killed mid-response (Fly), the Sealos
 * template's 512Mi is too small, the cluster needed 2 GiB to boot with the Gemini SDK and far more
 * under load. A limit inherited from an old image is a guess; 1 GiB is the floor. On Fly and
 * Kubernetes an unset limit is not "unlimited" but the platform's small default.
 */
export const paperclipMemoryLimit: StackValidationPolicy = {
  name: "paperclip-memory-limit",
  description:
    "An agent runtime's memory limit is at least 1 GiB, and is set explicitly where the platform would otherwise impose a smaller default (Kubernetes namespaces, Fly machines).",
  enforcementLevel: "mandatory",
  severity: "medium",
  tags: ["hardening"],
  remediationSteps:
    'Set the agent runtime\'s memory limit to at least 1Gi (resources.limits.memory in Kubernetes, [[vm]] memory = "1gb" or --vm-memory 1024 on Fly, Memory= on a Quadlet), sized from measurements.',
  configSchema,
  validateStack: (args, reportViolation) => {
    const settings = settingsOf<Settings>(args, configSchema);
    const minimum = parseQuantity(settings.minimumMemory) ?? 1024 ** 3;
    const model = readStack(stackResources(args.resources));
    const agents = agentRuntimes(model, settings.agentRuntimes);
    if (agents.length === 0) args.notApplicable("no agent runtime in this stack");
    for (const agent of agents) {
      if (!runsAgents(agent)) continue;
      const limit = agent.memoryLimit;
      if (isUnknown(limit)) continue;
      if (limit === undefined) {
        if (agent.memoryLimitRequired) {
          reportViolation(
            `${agent.label}: no memory limit is set, so the platform's default applies (512 MiB or less on Sealos and Fly); set at least ${gib(minimum)}.`,
            agent.urn,
          );
        }
      } else if (limit < minimum) {
        reportViolation(
          `${agent.label}: the memory limit is ${gib(limit)}, below ${gib(minimum)} (512 MiB gets the agent CLI OOM-killed).`,
          agent.urn,
        );
      }
    }
  },
};
