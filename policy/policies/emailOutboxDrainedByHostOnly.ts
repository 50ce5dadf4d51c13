import type { StackValidationPolicy } from "@pulumi/policy";
import { settingsOf, type DefaultedSchema } from "../lib/config";
import { CF, consumedQueue, consumerSettings, feeding, ofType, queueName } from "../lib/cloudflare";
import { isUnknown, stackResources } from "../lib/plain";

interface Settings {
  outboxQueueName: string;
  minimumRetries: number;
}

const configSchema: DefaultedSchema = {
  properties: {
    outboxQueueName: { type: "string", minLength: 1, description: "Name of the queue agents send mail through.", default: "email_outbox" },
    minimumRetries: {
      type: "integer",
      minimum: 1,
      description: "Fewest delivery retries the drain's consumer must allow before a message goes to the dead-letter queue.",
      default: 1,
    },
  },
};

/** Pull consumers are `http_pull` in the Queues API (the provider's docs show it camel-cased). */
const HTTP_PULL = new Set(["http_pull", "httpPull"]);

/**
 * Principle 3: mail an agent sends is a message on email_outbox, taken off it only by the drain on
 * the host, which checks each producer's signature and sender rules before sendmail. A second consumer
 * (or a Worker consumer) would deliver mail the drain never checked; without retries and a
 * dead-letter queue a failed message would be lost instead of summarised to the admin.
 */
export const emailOutboxDrainedByHostOnly: StackValidationPolicy = {
  name: "email-outbox-drained-by-host-only",
  description:
    "The email_outbox queue has exactly one consumer, the host drain pulling over HTTP, with retries and a dead-letter queue declared in the stack.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["principle-3"],
  remediationSteps:
    "Give email_outbox a single QueueConsumer of type http_pull (no scriptName) with settings.maxRetries (3) and deadLetterQueue set to email_dlq, and remove any other consumer of the queue.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const settings = settingsOf<Settings>(args, configSchema);
    const resources = stackResources(args.resources);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const queues = ofType(resources, CF.queue);
    const outboxes = queues.filter((q) => queueName(q) === settings.outboxQueueName);
    const consumers = ofType(resources, CF.queueConsumer);
    if (outboxes.length === 0) args.notApplicable(`no ${settings.outboxQueueName} queue in this stack`);

    for (const outbox of outboxes) {
      const own = consumers.filter((c) => consumedQueue(c, queues, byUrn) === outbox);
      if (own.length === 0)
        reportViolation(
          `${settings.outboxQueueName} has no consumer: nothing takes mail off it (the host drain pulls over HTTP).`,
          outbox.urn,
        );
      if (own.length > 1) {
        reportViolation(
          `${settings.outboxQueueName} has ${own.length} consumers (${own.map((c) => c.name).join(", ")}); only the host drain may consume it.`,
          outbox.urn,
        );
      }
      for (const consumer of own) {
        const { type, maxRetries, deadLetterQueue, scriptName } = consumerSettings(consumer);
        if (!isUnknown(type) && (type === undefined || !HTTP_PULL.has(type))) {
          reportViolation(
            `${consumer.name}: consumes ${settings.outboxQueueName} as ${type ?? "(no type)"}; only the host drain may, pulling over HTTP (type http_pull).`,
            consumer.urn,
          );
        }
        if (scriptName !== undefined && !isUnknown(scriptName)) {
          reportViolation(
            `${consumer.name}: hands ${settings.outboxQueueName} to the Worker ${scriptName}; only the host drain may consume it.`,
            consumer.urn,
          );
        }
        if (maxRetries === undefined || (!isUnknown(maxRetries) && maxRetries < settings.minimumRetries)) {
          reportViolation(
            `${consumer.name}: settings.maxRetries is ${maxRetries ?? "not set"}; a message must be retried at least ${settings.minimumRetries} time(s) before it is dead-lettered.`,
            consumer.urn,
          );
        }
        const fedDeadLetter = feeding(consumer, "deadLetterQueue", CF.queue, byUrn)[0];
        const namedDeadLetter = typeof deadLetterQueue === "string" ? queues.find((q) => queueName(q) === deadLetterQueue) : undefined;
        const deadLetter = fedDeadLetter ?? namedDeadLetter;
        if (deadLetterQueue === undefined || deadLetterQueue === "") {
          reportViolation(
            `${consumer.name}: no deadLetterQueue, so a message that fails every attempt is lost instead of kept for the weekly summary.`,
            consumer.urn,
          );
        } else if (!isUnknown(deadLetterQueue) && !deadLetter) {
          reportViolation(`${consumer.name}: deadLetterQueue ${deadLetterQueue} is not a queue this stack declares.`, consumer.urn);
        } else if (deadLetter === outbox) {
          reportViolation(`${consumer.name}: deadLetterQueue is ${settings.outboxQueueName} itself.`, consumer.urn);
        }
      }
    }
  },
};
