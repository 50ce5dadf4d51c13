import { describe, expect, it } from "vitest";
import type { DlqWorkerEnv } from "./env";
import { sendWeeklySummary } from "./weeklySummary";

// The run itself is exercised in workerd (worker.test.ts); this is the configuration guard, which
// must stop the run before it touches the database or the queue (neither is given here).
describe("sendWeeklySummary", () => {
  const configured = { ADMIN_EMAIL: "admin@example.com", SENDER_EMAIL: "paperclip@example.com", EMAIL_PRODUCER_KEY: "ab".repeat(32) };

  it.each([
    ["ADMIN_EMAIL", { ...configured, ADMIN_EMAIL: " " }],
    ["SENDER_EMAIL", { ...configured, SENDER_EMAIL: undefined }],
    ["EMAIL_PRODUCER_KEY", { ...configured, EMAIL_PRODUCER_KEY: "" }],
  ])("refuses to run without %s", async (name, variables) => {
    await expect(sendWeeklySummary(variables as DlqWorkerEnv, new Date())).rejects.toThrow(`the ${name} variable is not set`);
  });
});
