import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

/** The queue every agent's mail goes through (Principle 3): the MCP Worker's `email_send` produces to it. */
export const EMAIL_OUTBOX_QUEUE = "email_outbox";
/** Where `email_outbox` moves a message once its delivery attempts are used up. */
export const EMAIL_DLQ_QUEUE = "email_dlq";

/** Deliveries of one message to the drain before it is dead-lettered (system.md §5, the seeds' drain). */
export const EMAIL_OUTBOX_DELIVERY_ATTEMPTS = 3;

/**
 * Cloudflare's `max_retries` counts re-deliveries after the first: "the default behaviour is to retry
 * delivery three times before marking the delivery as failed. You can set max_retries (defaults to 3)"
 * (Queues docs, Batching, Retries and Delays), and workerd's own queue broker (Miniflare) allows
 * `maxRetries + 1` attempts before moving a message to the dead-letter queue. So N attempts is N - 1.
 */
export function maxRetriesFor(attempts: number): number {
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 101) {
    throw new Error(`delivery attempts must be an integer from 1 to 101 (max_retries 0-100), got ${attempts}`);
  }
  return attempts - 1;
}

/** 14 days, the longest a queue keeps a message: a drain host that is down for a week loses no mail. */
export const QUEUE_RETENTION_SECONDS = 14 * 24 * 60 * 60;

export interface EmailQueuesArgs {
  accountId: pulumi.Input<string>;
  /** Deliveries of an `email_outbox` message before it goes to `email_dlq`. Default: 3. */
  deliveryAttempts?: number;
  /** How long each queue keeps an unconsumed message, in seconds. Default: 1209600 (14 days, the maximum). */
  retentionSeconds?: pulumi.Input<number>;
}

/**
 * `email_outbox` and its dead-letter queue `email_dlq`, and the outbox's only consumer: the host's
 * email drain, pulling over HTTP (`http_pull`), with 3 delivery attempts before `email_dlq`. The
 * consumer's type, retries and dead-letter queue are on the QueueConsumer leaf for policies to read.
 * `email_dlq`'s consumer is the dead-letter Worker (DeadLetterWorker).
 */
export class EmailQueues extends pulumi.ComponentResource {
  readonly accountId: pulumi.Output<string>;
  /** What the drain needs (`CF_QUEUE_ID`). */
  readonly outboxQueueId: pulumi.Output<string>;
  readonly outboxQueueName: pulumi.Output<string>;
  /** What the drain needs to dead-letter a message itself (`CF_DLQ_QUEUE_ID`), and the DLQ Worker's consumer. */
  readonly deadLetterQueueId: pulumi.Output<string>;
  readonly deadLetterQueueName: pulumi.Output<string>;

  constructor(name: string, args: EmailQueuesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:cloudflare:EmailQueues", name, {}, opts);
    const settings = { messageRetentionPeriod: args.retentionSeconds ?? QUEUE_RETENTION_SECONDS };

    const outbox = new cloudflare.Queue(
      `${name}-outbox`,
      { accountId: args.accountId, queueName: EMAIL_OUTBOX_QUEUE, settings },
      { parent: this },
    );
    const deadLetters = new cloudflare.Queue(
      `${name}-dlq`,
      { accountId: args.accountId, queueName: EMAIL_DLQ_QUEUE, settings },
      { parent: this },
    );

    new cloudflare.QueueConsumer(
      `${name}-outbox-consumer`,
      {
        accountId: args.accountId,
        queueId: outbox.queueId,
        // The provider's docs render it "httpPull"; the API and the provider's validator take "http_pull".
        type: "http_pull",
        deadLetterQueue: deadLetters.queueName,
        settings: { maxRetries: maxRetriesFor(args.deliveryAttempts ?? EMAIL_OUTBOX_DELIVERY_ATTEMPTS) },
      },
      { parent: this },
    );

    this.accountId = pulumi.output(args.accountId);
    this.outboxQueueId = outbox.queueId;
    this.outboxQueueName = outbox.queueName;
    this.deadLetterQueueId = deadLetters.queueId;
    this.deadLetterQueueName = deadLetters.queueName;
    this.registerOutputs({
      accountId: this.accountId,
      outboxQueueId: this.outboxQueueId,
      outboxQueueName: this.outboxQueueName,
      deadLetterQueueId: this.deadLetterQueueId,
      deadLetterQueueName: this.deadLetterQueueName,
    });
  }
}
