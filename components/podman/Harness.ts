import { createHash } from "node:crypto";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import {
  createSecretScript,
  enableTargetScript,
  hostCheckScript,
  type HostRequirements,
  removeFileScript,
  removeSecretScript,
  restartScript,
  writeFileScript,
} from "./hostCommands";

/** A file the harness keeps on the host. */
export interface HarnessFile {
  /** Stable identity, used in resource names (`paperclip.container`, `caddy/Caddyfile`). */
  key: string;
  /** Path relative to the SSH user's home directory. */
  path: string;
  content: string;
  /** Octal mode. Default: 0644. */
  mode?: string;
  /** The systemd unit this file defines, if any: systemd is reloaded on write, and the unit stopped on removal. */
  definesUnit?: string;
  /** Keys this file had before (a rename): aliases, so Pulumi updates it in place instead of replacing it. */
  formerKeys?: readonly string[];
}

/**
 * A secret: a Podman secret (`podman secret create --replace`, value on stdin), or — for services on
 * the host, which cannot read Podman secrets — a file only the user can read (mode 0600, written
 * from stdin the same way).
 */
export interface HarnessSecret {
  name: string;
  value: pulumi.Input<string>;
  /** Write the value to this file (relative to the home directory) instead of a Podman secret. */
  path?: string;
  /** Names this secret's resource had before (a rename): aliases, as for HarnessFile.formerKeys. */
  formerNames?: readonly string[];
}

/** A unit restarted when, and only when, one of its own files or secrets changes. */
export interface HarnessRestart {
  unit: string;
  /** Keys of the files whose content the unit depends on. */
  files: readonly string[];
  /** Names of the Podman secrets the unit uses. */
  secrets: readonly string[];
  /** Units restarted before this one on a deployment (its dependencies). */
  after: readonly string[];
  /** The container whose health check the restart waits for (a unit with a HealthCmd). */
  healthContainer?: string;
  /** The unit's public route, probed through Caddy with the public Host once the unit is healthy. */
  route?: { hostname: string; address: string; path?: string };
}

export interface HarnessArgs {
  /** SSH connection to the host, as the unprivileged user that owns the harness. */
  connection: pulumi.Input<command.types.input.remote.ConnectionArgs>;
  files: readonly HarnessFile[];
  secrets: readonly HarnessSecret[];
  restarts: readonly HarnessRestart[];
  /** The systemd target (a unit in `files`) enabled so that everything starts at boot. */
  targetUnit: string;
  /** Checked on the host before anything is written. */
  requirements: HostRequirements;
  /**
   * How long a restarted unit may take to become active, healthy and reachable before the restart
   * rolls it back, in seconds. Default: 600.
   */
  restartTimeoutSeconds?: number;
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/**
 * Delivers a rootless Podman harness to one host over SSH, with @pulumi/command:
 * - one command per file (content on stdin, atomic write, mode set; unit files reload systemd);
 * - one command per Podman secret (`podman secret create --replace`, value on stdin);
 * - one restart per unit, triggered only by that unit's own files and secrets, so changing one
 *   service's image restarts that service and nothing else; the restart waits (restartTimeoutSeconds)
 *   for the unit to be active, healthy and reachable through Caddy, and otherwise rolls the unit's
 *   files and secrets back to the versions it replaced and fails (hostCommands.ts restartScript);
 * - removal on delete: a unit taken out is stopped and its file deleted; a secret is removed — unless
 *   another resource of the harness has written it since (the host records each file's and secret's
 *   owner), which is what a rename does: Pulumi creates the new resource before it deletes the old.
 *   Renames also carry aliases (`formerKeys`, `formerNames`; a renamed component passes `aliases`,
 *   which its children inherit), so they are updates, not replacements, in the first place.
 * Volumes are never removed: their data outlives the declaration.
 */
export class Harness extends pulumi.ComponentResource {
  /** The systemd units restarted by this harness. */
  readonly units: pulumi.Output<string[]>;

  constructor(name: string, args: HarnessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:podman:Harness", name, {}, opts);
    const connection = args.connection;

    const check = new command.remote.Command(
      `${name}-host-check`,
      { connection, create: hostCheckScript(args.requirements) },
      { parent: this },
    );

    const files = new Map<string, { resource: command.remote.Command; file: HarnessFile }>();
    // Files and secrets of a restarted unit keep the version they replace, for its rollback.
    const checkedFiles = new Set(args.restarts.flatMap((r) => r.files));
    const checkedSecrets = new Set(args.restarts.flatMap((r) => r.secrets));
    const fileResourceName = (key: string) => `${name}-file-${key.replaceAll("/", "-")}`;
    const paths = new Set<string>();
    for (const file of args.files) {
      if (files.has(file.key)) throw new Error(`Harness ${name}: duplicate file key ${file.key}`);
      // Two resources writing one path would each delete the other's file on removal.
      if (paths.has(file.path)) throw new Error(`Harness ${name}: two files write ${file.path}`);
      paths.add(file.path);
      const resourceName = fileResourceName(file.key);
      const ownership = { owner: resourceName, keepsPrevious: checkedFiles.has(file.key) };
      const resource = new command.remote.Command(
        resourceName,
        {
          connection,
          create: writeFileScript(file.path, file.mode ?? "0644", file.definesUnit !== undefined, ownership),
          delete: removeFileScript(file.path, ownership, file.definesUnit),
          stdin: file.content,
        },
        { parent: this, dependsOn: [check], aliases: (file.formerKeys ?? []).map((key) => ({ name: fileResourceName(key) })) },
      );
      files.set(file.key, { resource, file });
    }

    const secrets = new Map<string, { resource: command.remote.Command; hash: pulumi.Output<string>; path?: string }>();
    for (const secret of args.secrets) {
      if (secrets.has(secret.name)) throw new Error(`Harness ${name}: duplicate secret ${secret.name}`);
      const value = pulumi.secret(secret.value);
      const resourceName = `${name}-secret-${secret.name}`;
      const ownership = { owner: resourceName, keepsPrevious: checkedSecrets.has(secret.name) };
      const scripts =
        secret.path === undefined
          ? { create: createSecretScript(secret.name, ownership), delete: removeSecretScript(secret.name, ownership) }
          : { create: writeFileScript(secret.path, "0600", false, ownership), delete: removeFileScript(secret.path, ownership) };
      const resource = new command.remote.Command(
        resourceName,
        { connection, ...scripts, stdin: value },
        {
          parent: this,
          dependsOn: [check],
          additionalSecretOutputs: ["stdout", "stderr"],
          aliases: (secret.formerNames ?? []).map((former) => ({ name: `${name}-secret-${former}` })),
        },
      );
      secrets.set(secret.name, {
        resource,
        hash: pulumi.secret(value.apply(sha256)),
        ...(secret.path === undefined ? {} : { path: secret.path }),
      });
    }

    const restarts = new Map<string, command.remote.Command>();
    for (const restart of topologicalOrder(args.restarts)) {
      const ownFiles = restart.files.map((key) => {
        const entry = files.get(key);
        if (!entry) throw new Error(`Harness ${name}: ${restart.unit} uses unknown file ${key}`);
        return entry;
      });
      const ownSecrets = restart.secrets.map((secretName) => {
        const entry = secrets.get(secretName);
        if (!entry) throw new Error(`Harness ${name}: ${restart.unit} uses unknown secret ${secretName}`);
        return entry;
      });
      // One hash over exactly this unit's inputs: nothing else can restart it.
      const trigger = pulumi
        .all(ownSecrets.map((s) => s.hash))
        .apply((secretHashes) =>
          sha256(JSON.stringify({ files: ownFiles.map((f) => [f.file.path, sha256(f.file.content)]), secrets: secretHashes })),
        );
      const resource = new command.remote.Command(
        `${name}-restart-${restart.unit}`,
        {
          connection,
          create: restartScript({
            unit: restart.unit,
            files: [...ownFiles.map((f) => f.file.path), ...ownSecrets.flatMap((s) => (s.path === undefined ? [] : [s.path]))],
            secrets: restart.secrets.filter((secretName) => secrets.get(secretName)?.path === undefined),
            ...(restart.healthContainer === undefined ? {} : { healthContainer: restart.healthContainer }),
            ...(restart.route === undefined ? {} : { route: restart.route }),
            timeoutSeconds: args.restartTimeoutSeconds ?? 600,
          }),
          triggers: [trigger],
        },
        {
          parent: this,
          dependsOn: [
            ...ownFiles.map((f) => f.resource),
            ...ownSecrets.map((s) => s.resource),
            ...restart.after.map((unit) => restarts.get(unit)).filter((r) => r !== undefined),
          ],
        },
      );
      restarts.set(restart.unit, resource);
    }

    const target = [...files.values()].find((f) => f.file.definesUnit === args.targetUnit);
    if (!target) throw new Error(`Harness ${name}: no file defines the target unit ${args.targetUnit}`);
    new command.remote.Command(
      `${name}-enable-target`,
      { connection, create: enableTargetScript(args.targetUnit), triggers: [sha256(target.file.content)] },
      { parent: this, dependsOn: [target.resource, ...restarts.values()] },
    );

    this.units = pulumi.output([...restarts.keys()]);
    this.registerOutputs({ units: this.units });
  }
}

/** Restarts ordered so each comes after the units it names in `after`; a cycle is a catalogue bug. */
function topologicalOrder(restarts: readonly HarnessRestart[]): HarnessRestart[] {
  const byUnit = new Map(restarts.map((r) => [r.unit, r]));
  const ordered: HarnessRestart[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (restart: HarnessRestart, path: string[]): void => {
    const seen = state.get(restart.unit);
    if (seen === "done") return;
    if (seen === "visiting") throw new Error(`dependency cycle: ${[...path, restart.unit].join(" -> ")}`);
    state.set(restart.unit, "visiting");
    for (const unit of restart.after) {
      const dependency = byUnit.get(unit);
      if (dependency) visit(dependency, [...path, restart.unit]);
    }
    state.set(restart.unit, "done");
    ordered.push(restart);
  };
  for (const restart of [...restarts].sort((a, b) => a.unit.localeCompare(b.unit))) visit(restart, []);
  return ordered;
}
