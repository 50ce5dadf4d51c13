import type { StackValidationPolicy } from "@pulumi/policy";
import { settingsOf, stringList, type DefaultedSchema, type RoleMatcher } from "../lib/config";
import { agentRuntimes } from "../lib/gateway";
import { isUnknown, stackResources } from "../lib/plain";
import { hasRole, isAgentRuntime } from "../lib/roles";
import { agentRuntimesProperty, mailServersProperty } from "../lib/schemas";
import { hostMentions, isServiceHost } from "../lib/urls";
import { readStack } from "../lib/workloads";

interface Settings {
  agentRuntimes: RoleMatcher;
  mailServers: RoleMatcher;
  smtpVariablePattern: string;
  mailPorts: number[];
  mailProviderVariables: string[];
}

const configSchema: DefaultedSchema = {
  properties: {
    agentRuntimes: agentRuntimesProperty,
    mailServers: mailServersProperty,
    smtpVariablePattern: {
      type: "string",
      minLength: 1,
      description: "A regular expression matching names of variables that configure sending mail (SMTP host, user, password, mailer DSN).",
      default:
        "(^|_)(SMTP|SENDMAIL|MSMTP|MAILER)(_|$)|^(MAIL|EMAIL)_(HOST|SERVER|PORT|USER|USERNAME|PASSWORD|URL|DSN|TRANSPORT|DRIVER|FROM_HOST)$",
    },
    mailPorts: {
      type: "array",
      items: { type: "integer", minimum: 1, maximum: 65535 },
      description: "Ports that submit mail (SMTP, submission, SMTPS).",
      default: [25, 465, 587, 2525],
    },
    mailProviderVariables: stringList("Credentials of mail-sending services, which would send mail around the outbox as surely as SMTP.", [
      "RESEND_API_KEY",
      "SENDGRID_API_KEY",
      "MAILGUN_API_KEY",
      "POSTMARK_API_TOKEN",
      "POSTMARK_SERVER_TOKEN",
      "MAILJET_API_KEY",
      "MAILJET_SECRET_KEY",
      "SPARKPOST_API_KEY",
      "BREVO_API_KEY",
      "SENDINBLUE_API_KEY",
      "MANDRILL_API_KEY",
    ]),
  },
};

/** Networks that are not shared with other containers (each gets its own namespace). */
const PRIVATE_NETWORKS = new Set(["none", "private", "pasta", "slirp4netns", "ns"]);

/**
 * Principle 3: agents send mail only by enqueueing to email_outbox (the Worker's email_send tool),
 * where the drain checks the sender and every message is recorded. Postfix runs on the same host,
 * so the rule must be structural: an agent shares no network with it and carries no way to submit
 * mail (SMTP settings, a mail service's API key, a sendmail binary).
 */
export const agentNoMailServerAccess: StackValidationPolicy = {
  name: "agent-no-mail-server-access",
  description:
    "No agent runtime can reach the mail server or send mail around the outbox: it shares no network with the mail server and has no SMTP settings, mail-service credentials or sendmail.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["principle-3"],
  remediationSteps:
    "Take the agent runtime off the mail server's network (keep Postfix on its own network), remove SMTP settings, mail-service keys and sendmail mounts from it; agents send mail with the Worker's email_send tool, which enqueues to email_outbox.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const settings = settingsOf<Settings>(args, configSchema);
    const model = readStack(stackResources(args.resources));
    const mailServers = model.workloads.filter((w) => hasRole(w, settings.mailServers) && !isAgentRuntime(w, settings.agentRuntimes));
    const mailHosts = new Set<string>([...settings.mailServers.names, ...mailServers.map((m) => m.name)]);
    for (const service of model.services) if (service.selects.some((w) => mailServers.includes(w))) mailHosts.add(service.name);
    const smtpName = new RegExp(settings.smtpVariablePattern, "i");
    const agents = agentRuntimes(model, settings.agentRuntimes);
    if (agents.length === 0) args.notApplicable("no agent runtime in this stack");

    for (const agent of agents) {
      for (const mail of mailServers) {
        const shared = agent.networks.filter((n) => !PRIVATE_NETWORKS.has(n) && n !== "host" && mail.networks.includes(n));
        if (shared.length > 0)
          reportViolation(`${agent.label}: shares network ${shared.join(", ")} with the mail server ${mail.label}.`, agent.urn);
        if (agent.networks.includes(`container:${mail.name}`) || mail.networks.includes(`container:${agent.name}`)) {
          reportViolation(`${agent.label}: shares a network namespace with the mail server ${mail.label}.`, agent.urn);
        }
        if (agent.hostNetwork && (mail.hostNetwork || mail.ports.some((p) => p.hostPort !== undefined))) {
          reportViolation(`${agent.label}: runs in the host's network, where the mail server ${mail.label} listens.`, agent.urn);
        }
        if (agent.target === "kubernetes" && mail.urn === agent.urn) {
          reportViolation(`${agent.label}: runs in the same pod as the mail server ${mail.label} (they share localhost).`, agent.urn);
        }
      }
      for (const variable of agent.env) {
        if (smtpName.test(variable.name)) {
          reportViolation(
            `${agent.label}: ${variable.name} (${variable.where}) configures sending mail, which agents do only through email_outbox.`,
            agent.urn,
          );
          continue;
        }
        if (settings.mailProviderVariables.includes(variable.name)) {
          reportViolation(
            `${agent.label}: ${variable.name} (${variable.where}) is a mail service's credential; agents send mail only through email_outbox.`,
            agent.urn,
          );
          continue;
        }
        if (variable.source.kind !== "plain" || isUnknown(variable.source.value)) continue;
        for (const mention of hostMentions(variable.source.value)) {
          const scheme = /^(smtps?|submissions?):\/\//i.test(mention.text);
          if (
            scheme ||
            isServiceHost(mention.host, mailHosts) ||
            (mention.port !== undefined && settings.mailPorts.includes(mention.port))
          ) {
            reportViolation(
              `${agent.label}: ${variable.name}=${variable.source.value} (${variable.where}) points at a mail server.`,
              agent.urn,
            );
            break;
          }
        }
      }
      for (const mount of agent.mounts) {
        if (/sendmail|postfix|msmtp|postdrop/i.test(`${mount.source} ${mount.destination}`)) {
          reportViolation(
            `${agent.label}: mounts ${mount.source} at ${mount.destination}, a way to hand mail to the local mail server.`,
            agent.urn,
          );
        }
      }
    }
  },
};
