/**
 * The `fly` target: Paperclip on one Fly.io machine, reached over Tailscale only, with system
 * PostgreSQL and every seed lesson built in (system.md §6). Agents reach models through the
 * configured gateway with a gateway key; the direct subscription token is an explicit opt-in.
 */
import { backupStatus, BACKUPS_NOT_YET } from "./backupStatus";
import * as pulumi from "@pulumi/pulumi";
import { FlyApp } from "../../components/fly/FlyApp";
import { planFly } from "./fly/flyPlan";
import { declareGeneratedSecrets, secretOutput } from "./generatedSecrets";
import type { TargetImplementation } from "./target";

export const flyTarget: TargetImplementation = {
  target: "fly",
  deploy(config) {
    const plan = planFly(config);

    const generatedSecrets = declareGeneratedSecrets(plan.generatedSecrets, config.rotations ?? {});

    const app = new FlyApp("paperclip", {
      app: plan.app,
      org: plan.org,
      region: plan.region,
      volume: plan.volume,
      apiToken: pulumi.secret(config.flyApiToken!),
      secrets: plan.secrets.map((secret) => ({
        name: secret.name,
        value: secretOutput(secret.value, { generated: generatedSecrets, config }),
      })),
      buildFiles: plan.files,
    });

    return {
      target: "fly",
      app: plan.app,
      region: plan.region,
      url: plan.publicUrl,
      volume: plan.volume.name,
      build: app.build,
      backups: backupStatus(config, { notYet: BACKUPS_NOT_YET.fly }),
      ...(plan.directClaudeSubscription
        ? { principle3Exception: "Claude Code reaches Anthropic directly (directClaudeSubscription)" }
        : {}),
    };
  },
};
