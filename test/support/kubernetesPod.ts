/**
 * Running a rendered Kubernetes container on this machine the way the kubelet would, for the real-
 * Paperclip acceptance test: its environment in Kubernetes' order with `$(VAR)` expansion and Secret
 * values from a test table, its command and args, its working directory, its uid/gid/fsGroup with no
 * capabilities (setpriv), its volume mounts as bind mounts (ConfigMap files as rendered, the data
 * volume a directory of the test's choosing). Only the restricted posture the project renders is
 * supported; anything else throws rather than being run differently.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import type { BindMount } from "./paperclipNamespace";
import type { Manifest } from "./kubernetesObjects";

/** Secret name → key → test value. */
export type SecretValues = Record<string, Record<string, string>>;

/** The environment a container image starts with (Docker's default PATH; node:24 images keep it). */
export const IMAGE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Kubernetes' expansion of an env value, command or arg: `$(NAME)` of a variable defined before it, `$$` → `$`. */
export function expandKubernetes(value: string, defined: Readonly<Record<string, string>>): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    if (value[i] === "$" && value[i + 1] === "$") {
      out += "$";
      i++;
    } else if (value[i] === "$" && value[i + 1] === "(") {
      const end = value.indexOf(")", i);
      const name = end < 0 ? undefined : value.slice(i + 2, end);
      if (name !== undefined && name in defined) {
        out += defined[name];
        i = end;
      } else out += value[i];
    } else out += value[i];
  }
  return out;
}

/** A container's environment as the kubelet builds it; a missing non-optional Secret key throws. */
export function containerEnv(container: Manifest, secrets: SecretValues): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of container.env ?? []) {
    if (entry.valueFrom?.secretKeyRef) {
      const ref = entry.valueFrom.secretKeyRef;
      const value = secrets[ref.name]?.[ref.key];
      if (value === undefined) {
        if (ref.optional) continue;
        throw new Error(`${container.name}: ${entry.name} needs Secret ${ref.name} key ${ref.key}, which the test table lacks`);
      }
      env[entry.name] = value;
    } else if (entry.valueFrom) {
      throw new Error(`${container.name}: ${entry.name} comes from ${Object.keys(entry.valueFrom).join()}, which the test cannot provide`);
    } else env[entry.name] = expandKubernetes(String(entry.value ?? ""), env);
  }
  return env;
}

/** Every Secret key the pod's containers reference. */
export function secretRefs(pod: Manifest): { name: string; key: string; optional: boolean }[] {
  return [...(pod.initContainers ?? []), ...pod.containers].flatMap((c: Manifest) =>
    (c.env ?? [])
      .filter((entry: Manifest) => entry.valueFrom?.secretKeyRef)
      .map((entry: Manifest) => ({ ...entry.valueFrom.secretKeyRef, optional: entry.valueFrom.secretKeyRef.optional === true })),
  );
}

/**
 * setpriv's options for the container's security context: its uid/gid, the pod's fsGroup as the
 * only supplementary group, no capabilities at all, no_new_privs when privilege escalation is off.
 */
export function securityArgv(container: Manifest, pod: Manifest): string[] {
  const security = container.securityContext ?? {};
  const podSecurity = pod.securityContext ?? {};
  const uid = security.runAsUser ?? podSecurity.runAsUser;
  const gid = security.runAsGroup ?? podSecurity.runAsGroup ?? uid;
  if (typeof uid !== "number" || uid === 0) throw new Error(`${container.name}: the test runs only non-root containers with a runAsUser`);
  if (!(security.capabilities?.drop ?? []).includes("ALL"))
    throw new Error(`${container.name}: the test runs only containers that drop ALL capabilities`);
  const groups = podSecurity.fsGroup === undefined ? ["--clear-groups"] : [`--groups=${podSecurity.fsGroup}`];
  return [
    "setpriv",
    `--reuid=${uid}`,
    `--regid=${gid}`,
    ...groups,
    "--inh-caps=-all",
    "--bounding-set=-all",
    ...(security.allowPrivilegeEscalation === false ? ["--no-new-privs"] : []),
    "--",
  ];
}

/** The container's process: setpriv, then its working directory, then command and args (expanded). */
export function containerArgv(container: Manifest, pod: Manifest, env: Readonly<Record<string, string>>): string[] {
  const command = [...(container.command ?? []), ...(container.args ?? [])].map((part: string) => expandKubernetes(part, env));
  if (command.length === 0) throw new Error(`${container.name}: no command (the image's entrypoint is not known here)`);
  return [...securityArgv(container, pod), "env", ...(container.workingDir ? [`--chdir=${container.workingDir}`] : []), ...command];
}

/** A container port by name or number. */
export function containerPort(container: Manifest, port: string | number): number {
  if (typeof port === "number") return port;
  const found = (container.ports ?? []).find((p: Manifest) => p.name === port);
  if (!found) throw new Error(`${container.name}: no port named ${port}`);
  return found.containerPort;
}

/**
 * The container's volume mounts as binds. ConfigMap files are written under `<root>/<container>`
 * with the ConfigMap's data as rendered; files mounted one by one (subPath) are gathered in their
 * directory, which is bound as a whole (bind targets must exist, and nothing else is in those
 * directories in the image). A PersistentVolumeClaim (or a StatefulSet's claim template) is `dataDir`.
 */
export function volumeBinds(
  container: Manifest,
  pod: Manifest,
  configMaps: ReadonlyMap<string, Record<string, string>>,
  root: string,
  dataDir: string,
  claimTemplates: readonly string[] = [],
): BindMount[] {
  const volumes = new Map<string, Manifest>((pod.volumes ?? []).map((v: Manifest) => [v.name, v]));
  const binds: BindMount[] = [];
  const directories = new Set<string>();
  const staged = join(root, container.name);
  const write = (mountPath: string, content: string) => {
    const file = join(staged, mountPath);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content, { mode: 0o644 });
  };
  for (const mount of container.volumeMounts ?? []) {
    const volume = volumes.get(mount.name);
    if (volume?.configMap) {
      const data = configMaps.get(volume.configMap.name);
      if (!data) throw new Error(`${container.name}: ConfigMap ${volume.configMap.name} is not in the plan`);
      const items: { key: string; path: string }[] = volume.configMap.items ?? Object.keys(data).map((key) => ({ key, path: key }));
      const content = (path: string) => {
        const item = items.find((i) => posix.normalize(i.path) === posix.normalize(path));
        if (!item || data[item.key] === undefined) throw new Error(`${container.name}: ${mount.name} has no ${path}`);
        return data[item.key]!;
      };
      if (mount.subPath) {
        write(mount.mountPath, content(mount.subPath));
        directories.add(posix.dirname(mount.mountPath));
      } else {
        for (const item of items) write(posix.join(mount.mountPath, item.path), content(item.path));
        directories.add(mount.mountPath);
      }
    } else if (volume?.persistentVolumeClaim || (!volume && claimTemplates.includes(mount.name))) {
      binds.push({ source: dataDir, target: mount.mountPath });
    } else throw new Error(`${container.name}: volume ${mount.name} is of a kind the test cannot provide`);
  }
  for (const directory of directories) binds.push({ source: join(staged, directory), target: directory });
  return binds;
}
