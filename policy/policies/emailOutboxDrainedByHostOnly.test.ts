import { describe, test } from "vitest";
import { CF, edgeResources } from "../testing/edgeFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview, named, resource, urnOf, without } from "../testing/wire";
import { emailOutboxDrainedByHostOnly as policy } from "./emailOutboxDrainedByHostOnly";

const consumer = (resources: ReturnType<typeof edgeResources>) => named(resources, "email-outbox-drain").properties;

describe("email-outbox-drained-by-host-only", () => {
  metadataTests(policy, { name: "email-outbox-drained-by-host-only", enforcementLevel: "mandatory" });

  test("baseline: one http_pull consumer with 3 retries and email_dlq", async () => {
    expectNoViolations(await run(policy, edgeResources()));
  });

  test("baseline as a first preview: the queue id is unknown, the dependency names the queue", async () => {
    expectNoViolations(await run(policy, asFirstPreview(edgeResources())));
  });

  test("#1 no consumer", async () => {
    expectViolations(await run(policy, without(edgeResources(), "email-outbox-drain")), policy, [
      { resource: "email-outbox", message: /^email_outbox has no consumer/ },
    ]);
  });

  test("#2 a second consumer (a Worker)", async () => {
    const resources = edgeResources();
    resources.push(
      resource(
        CF.queueConsumer,
        "email-outbox-worker",
        { accountId: "a", queueId: "q", type: "worker", scriptName: "mailer" },
        { propertyDependencies: { queueId: [urnOf(CF.queue, "email-outbox")] } },
      ),
    );
    expectViolations(await run(policy, resources), policy, [
      {
        resource: "email-outbox",
        message: /email_outbox has 2 consumers \(email-outbox-drain, email-outbox-worker\); only the host drain may consume it/,
      },
      { resource: "email-outbox-worker", message: /consumes email_outbox as worker; only the host drain may/ },
      { resource: "email-outbox-worker", message: /hands email_outbox to the Worker mailer/ },
      { resource: "email-outbox-worker", message: /settings\.maxRetries is not set/ },
      { resource: "email-outbox-worker", message: /no deadLetterQueue/ },
    ]);
  });

  test("#3 the only consumer is a Worker, not the drain", async () => {
    const resources = edgeResources();
    Object.assign(consumer(resources), { type: "worker", scriptName: "mailer" });
    expectViolations(await run(policy, resources), policy, [
      { resource: "email-outbox-drain", message: /consumes email_outbox as worker/ },
      { resource: "email-outbox-drain", message: /hands email_outbox to the Worker mailer/ },
    ]);
  });

  test("#4 no retries", async () => {
    const resources = edgeResources();
    consumer(resources).settings = { visibilityTimeoutMs: 60000 };
    expectViolations(await run(policy, resources), policy, [
      { resource: "email-outbox-drain", message: /settings\.maxRetries is not set; a message must be retried at least 1 time/ },
    ]);
  });

  test("#5 no dead-letter queue", async () => {
    const resources = edgeResources();
    delete consumer(resources).deadLetterQueue;
    expectViolations(await run(policy, resources), policy, [
      { resource: "email-outbox-drain", message: /no deadLetterQueue, so a message that fails every attempt is lost/ },
    ]);
  });

  test("#6 a dead-letter queue the stack does not declare", async () => {
    const resources = without(edgeResources(), "email-dlq");
    consumer(resources).deadLetterQueue = "email_dlq_typo";
    named(resources, "email-outbox-drain").propertyDependencies!.deadLetterQueue = [];
    expectViolations(await run(policy, resources), policy, [
      { resource: "email-outbox-drain", message: /deadLetterQueue email_dlq_typo is not a queue this stack declares/ },
    ]);
  });

  test("policy config: minimumRetries", async () => {
    expectViolations(await run(policy, edgeResources(), { minimumRetries: 5 }), policy, [
      { resource: "email-outbox-drain", message: /settings\.maxRetries is 3; a message must be retried at least 5 time/ },
    ]);
  });
});
