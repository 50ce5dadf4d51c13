import type { MessageBatch, ScheduledController } from "@cloudflare/workers-types/2023-07-01";
import type { DlqWorkerEnv } from "./env";
import { recordDeadLetters } from "./recordDeadLetters";
import { sendWeeklySummary } from "./weeklySummary";

/** The dead-letter Worker: consumer of `email_dlq`, weekly summariser, and no HTTP interface. */
export default {
  fetch(): Response {
    return new Response("dlq-worker has no HTTP interface\n", { status: 404 });
  },

  async queue(batch: MessageBatch<unknown>, env: DlqWorkerEnv): Promise<void> {
    await recordDeadLetters(batch, env.DB);
  },

  async scheduled(controller: ScheduledController, env: DlqWorkerEnv): Promise<void> {
    await sendWeeklySummary(env, new Date(controller.scheduledTime));
  },
};
