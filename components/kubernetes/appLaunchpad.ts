/**
 * Sealos App Launchpad's naming, which its console uses to recognise an app's volumes and config
 * files (labring/sealos 5.1.1, `frontend/providers/applaunchpad/src/utils/tools.ts`
 * `mountPathToConfigMapKey`, `adapt.ts` and `deployYaml2Json.ts`):
 * - a volume claim template or config file is named after its mount path: `_` becomes `-`, every
 *   `/` and `.` becomes `vn-`, lower-cased, at most the last 63 characters (`/paperclip` → `vn-paperclip`);
 * - a volume claim template carries annotations `path` (the mount path) and `value` (its size in Gi);
 * - config files live in one ConfigMap named after the app; each file is a volume named by its key,
 *   with one item whose path is the mount path made relative (`./etc/…`), mounted with that subPath;
 * - the workload carries `deploy.cloud.sealos.io/resize`, the total of its volumes (`<n>Gi`).
 */
import type * as k8s from "@pulumi/kubernetes";

export function appLaunchpadName(mountPath: string): string {
  const name = mountPath.replace(/\/$/, "").replace(/_/g, "-").replace(/[/.]/g, "vn-").toLowerCase();
  return name.length > 63 ? name.slice(-63) : name;
}

/** The relative path App Launchpad gives a config file's item and subPath. */
export function appLaunchpadSubPath(mountPath: string): string {
  return mountPath.startsWith("/") ? `.${mountPath}` : `./${mountPath}`;
}

/** Whole GiB of a size such as `10Gi`, the only unit App Launchpad's storage form has; undefined otherwise. */
export function wholeGibibytes(size: string): number | undefined {
  const match = /^([1-9]\d*)Gi$/.exec(size);
  return match ? Number(match[1]) : undefined;
}

/** One config file of the app's ConfigMap, as App Launchpad lays it out. */
export interface AppLaunchpadConfigFile {
  /** The ConfigMap key, also the volume's name. */
  key: string;
  mountPath: string;
  volume: k8s.types.input.core.v1.Volume;
  mount: k8s.types.input.core.v1.VolumeMount;
}

export function appLaunchpadConfigFile(configMapName: string, mountPath: string): AppLaunchpadConfigFile {
  const key = appLaunchpadName(mountPath);
  const subPath = appLaunchpadSubPath(mountPath);
  return {
    key,
    mountPath,
    // 0644: the scripts are run with /bin/sh, config.json is read; none is secret.
    volume: { name: key, configMap: { name: configMapName, items: [{ key, path: subPath }], defaultMode: 0o644 } },
    mount: { name: key, mountPath, subPath, readOnly: true },
  };
}
