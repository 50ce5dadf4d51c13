import type { StackValidationPolicy } from "@pulumi/policy";
import { settingsOf, type DefaultedSchema, type RoleMatcher } from "../lib/config";
import { isUnknown, stackResources } from "../lib/plain";
import { hasRole, isGateway } from "../lib/roles";
import { agentRuntimesProperty, gatewaysProperty, llamaSwapProperty } from "../lib/schemas";
import { HOST_GATEWAY_NAMES, hostMentions, isServiceHost } from "../lib/urls";
import { readStack, type Workload } from "../lib/workloads";

interface Settings {
  llamaSwap: RoleMatcher;
  gateways: RoleMatcher;
  agentRuntimes: RoleMatcher;
}

const configSchema: DefaultedSchema = {
  properties: {
    llamaSwap: llamaSwapProperty,
    gateways: gatewaysProperty,
    agentRuntimes: agentRuntimesProperty,
  },
};

/** Text a workload is configured with: plain env values, its command line, and the files mounted into it. */
function configurationTexts(workload: Workload): { text: string; where: string }[] {
  return [
    ...workload.env.flatMap((e) =>
      e.source.kind === "plain" && !isUnknown(e.source.value) ? [{ text: e.source.value, where: `${e.name} (${e.where})` }] : [],
    ),
    ...workload.commandLine.map((word) => ({ text: word, where: "its command line" })),
    ...workload.mounts.flatMap((m) => (m.text === undefined ? [] : [{ text: m.text, where: `${m.source} (mounted at ${m.destination})` }])),
  ];
}

/**
 * Principle 3: local models are reached through the gateway like cloud ones, so their use is
 * accounted and limited the same way. llama-swap has no authentication of its own; only LiteLLM is
 * configured to call it (the seeds: "never llama-swap directly").
 */
export const llamaSwapOnlyFromGateway: StackValidationPolicy = {
  name: "llama-swap-only-from-gateway",
  description:
    "Only the model gateway (LiteLLM) is configured to reach llama-swap: no other workload's environment, command line or mounted configuration names llama-swap or its published port.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["principle-3"],
  remediationSteps:
    "Point the workload at the gateway (LiteLLM), which routes local-* models to llama-swap, and remove its direct llama-swap URL; to publish a local model, add it to litellm.yaml.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const settings = settingsOf<Settings>(args, configSchema);
    const model = readStack(stackResources(args.resources));
    const servers = model.workloads.filter((w) => hasRole(w, settings.llamaSwap));
    if (servers.length === 0) args.notApplicable("no llama-swap in this stack");
    const hosts = new Set<string>([...settings.llamaSwap.names, ...servers.filter((s) => s.target === "quadlet").map((s) => s.name)]);
    for (const service of model.services) if (service.selects.some((w) => servers.includes(w))) hosts.add(service.name);
    const hostPorts = new Set(servers.flatMap((s) => s.ports.flatMap((p) => (p.hostPort === undefined ? [] : [p.hostPort]))));

    for (const workload of model.workloads) {
      if (servers.includes(workload) || isGateway(workload, settings.gateways, settings.agentRuntimes)) continue;
      for (const { text, where } of configurationTexts(workload)) {
        for (const mention of hostMentions(text)) {
          const direct = isServiceHost(mention.host, hosts);
          const throughHost =
            mention.port !== undefined &&
            hostPorts.has(mention.port) &&
            (HOST_GATEWAY_NAMES.has(mention.host) || (workload.hostService === true && ["localhost", "127.0.0.1"].includes(mention.host)));
          if (direct || throughHost) {
            reportViolation(
              `${workload.label}: ${where} reaches llama-swap directly (${mention.text}); only the gateway may.`,
              workload.urn,
            );
          }
        }
      }
    }
  },
};
