import { TWENTY_IMAGE, twentyShared } from "./twenty";
import type { ServiceDefinition } from "./types";

/** Twenty's background worker (same image, `yarn worker:prod`): queues, workflows, outgoing mail. */
export const twentyWorker: ServiceDefinition = (context) => {
  const shared = twentyShared(context);
  return {
    name: "twenty-worker",
    description: "Twenty CRM worker",
    image: TWENTY_IMAGE,
    ...shared,
    // The server runs the migrations; the worker waits for it.
    env: { ...shared.env, DISABLE_DB_MIGRATIONS: "true" },
    command: ["yarn", "worker:prod"],
    dependsOn: ["twenty", "twenty-db", "twenty-redis", "postfix"],
    restart: "always",
  };
};
