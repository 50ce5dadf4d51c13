import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import {
  buildDlqWorkerBundle,
  DLQ_WORKER_BINDINGS,
  DLQ_WORKER_COMPATIBILITY_DATE,
  DLQ_WORKER_CRON,
  DLQ_WORKER_MAIN_MODULE,
} from "../../apps/dlq-worker/bundle";

/**
 * `email_dlq` is the last stop: it has no dead-letter queue, so a message whose retries run out is gone.
 * The Worker retries only when it cannot write to D1; 100 retries (the maximum) 5 minutes apart ride
 * out a D1 outage of more than 8 hours.
 */
export const DEAD_LETTER_CONSUMER_SETTINGS = { batchSize: 10, maxRetries: 100, retryDelay: 300 } as const;

export interface DeadLetterWorkerArgs {
  accountId: pulumi.Input<string>;
  scriptName: string;
  /** The run ledger's D1 UUID (`dead_letters`, `run_ledger`), once migrated. */
  ledgerDatabaseId: pulumi.Input<string>;
  /** `email_outbox`: the weekly summary goes out the way every other mail does. */
  outboxQueueName: pulumi.Input<string>;
  /** `email_dlq`'s id: the Worker is its consumer. */
  deadLetterQueueId: pulumi.Input<string>;
  /** Recipient of the weekly summary. */
  adminEmail: pulumi.Input<string>;
  /** Sender of the weekly summary; must be in the drain's PRODUCER_DLQ_SENDERS. */
  senderEmail: pulumi.Input<string>;
  /** The Worker's producer key on `email_outbox` (64 hex, secret): the drain sends only the summaries it signs. */
  producerKey: pulumi.Input<string>;
  /** The Worker's module. Default: `buildDlqWorkerBundle()` (apps/dlq-worker). */
  content?: pulumi.Input<string>;
}

/**
 * The dead-letter Worker (apps/dlq-worker): records every message of `email_dlq` in the run ledger and
 * mails a weekly summary through `email_outbox`. A WorkersScript with its five bindings, its cron, its
 * consumer on `email_dlq`, and no workers.dev hostname (it serves no HTTP, and nothing public is
 * outside Access).
 */
export class DeadLetterWorker extends pulumi.ComponentResource {
  readonly scriptName: pulumi.Output<string>;

  constructor(name: string, args: DeadLetterWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:cloudflare:DeadLetterWorker", name, {}, opts);

    const script = new cloudflare.WorkersScript(
      `${name}-script`,
      {
        accountId: args.accountId,
        scriptName: args.scriptName,
        content: args.content ?? buildDlqWorkerBundle(),
        mainModule: DLQ_WORKER_MAIN_MODULE,
        compatibilityDate: DLQ_WORKER_COMPATIBILITY_DATE,
        bindings: [
          { ...DLQ_WORKER_BINDINGS.ledgerDatabase, id: args.ledgerDatabaseId },
          { ...DLQ_WORKER_BINDINGS.outboxQueue, queueName: args.outboxQueueName },
          { ...DLQ_WORKER_BINDINGS.adminEmail, text: args.adminEmail },
          { ...DLQ_WORKER_BINDINGS.senderEmail, text: args.senderEmail },
          { ...DLQ_WORKER_BINDINGS.producerKey, text: pulumi.secret(args.producerKey) },
        ],
      },
      { parent: this },
    );

    new cloudflare.WorkersCronTrigger(
      `${name}-cron`,
      { accountId: args.accountId, scriptName: script.scriptName, schedules: [{ cron: DLQ_WORKER_CRON }] },
      { parent: this },
    );

    new cloudflare.WorkersScriptSubdomain(
      `${name}-subdomain`,
      { accountId: args.accountId, scriptName: script.scriptName, enabled: false, previewsEnabled: false },
      { parent: this },
    );

    new cloudflare.QueueConsumer(
      `${name}-consumer`,
      {
        accountId: args.accountId,
        queueId: args.deadLetterQueueId,
        type: "worker",
        scriptName: script.scriptName,
        settings: { ...DEAD_LETTER_CONSUMER_SETTINGS },
      },
      { parent: this },
    );

    this.scriptName = script.scriptName;
    this.registerOutputs({ scriptName: this.scriptName });
  }
}
