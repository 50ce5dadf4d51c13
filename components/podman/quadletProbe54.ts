import type { QuadletGroup } from "./quadletKeys";

/**
 * What Podman 5.4's Quadlet generator (Debian trixie podman 5.4.2+ds1-2+b2) does with the features
 * the harness needs, probed one file per feature. quadletProbe54.test.ts re-runs every case against
 * the installed generator; quadletKeys.test.ts checks the key table agrees.
 *
 * Recorded results (5.4.2):
 *   Entrypoint=/bin/sh                      accepted (key since 5.0)   → --entrypoint /bin/sh
 *   PodmanArgs=--entrypoint=/bin/sh         accepted                   → --entrypoint=/bin/sh
 *   GroupAdd=keep-groups                    accepted (5.1)             → --group-add keep-groups
 *   AddDevice=/dev/fuse                     accepted                   → --device /dev/fuse
 *   User=1000 + Group=1000                  accepted                   → --user 1000:1000
 *   Secret=name,type=env,target=VAR         accepted                   → --secret name,type=env,target=VAR
 *   Notify=healthy (+ HealthCmd=)           accepted (value since 5.0) → --sdnotify=healthy
 *   HealthCmd=curl -f http://localhost/     accepted                   → --health-cmd "curl -f http://localhost/"
 *   AutoUpdate=registry                     accepted                   → --label io.containers.autoupdate=registry
 *   ReadOnly=true                           accepted                   → --read-only
 *   NoNewPrivileges=true                    accepted                   → --security-opt=no-new-privileges
 *   SecurityLabelDisable=true               accepted                   → --security-opt label=disable
 *   PodmanArgs=--pid=host                   accepted                   → --pid=host
 *   Pid=host                                REJECTED: unsupported key 'Pid' (no such key in any release up to 5.8)
 *   PidsLimit=100                           accepted (4.7)             → --pids-limit 100   (a limit, not the PID namespace)
 *   Network=host                            accepted                   → --network host
 *   Volume=%h/data:/x:ro,Z                  accepted                   → -v %h/data:/x:ro,Z  (%h left for systemd)
 *   Image=paperclip.build                   accepted (value since 5.2) → the build's ImageTag, plus Requires=/After= paperclip-build.service
 *   [Build] ImageTag= File= SetWorkingDirectory=unit Pull=missing
 *                                           accepted                   → podman build --pull=missing --tag … --file Containerfile <unit dir>
 *   [Install] WantedBy=default.target       accepted                   → copied to the service; default.target.wants/ symlink
 *   Memory=512m, Retry=3, ReloadCmd=…       REJECTED: keys added in 5.5 → use PodmanArgs=--memory=… on 5.4
 * Passed through unchecked (fail only when the container starts): PublishPort=nonsense,
 * AutoUpdate=sometimes, Pull=whenever. Silently read as false: Notify=maybe.
 */

export interface QuadletFeatureProbe {
  /** File name stem, also the generated service's name. */
  name: string;
  /** What the harness needs it for. */
  feature: string;
  group: QuadletGroup;
  /** Lines for the group; a .container gets Image=docker.io/library/alpine:3.20 first unless it sets Image=. */
  lines: readonly string[];
  /** Extra lines appended after the group (e.g. an [Install] section). */
  trailer?: string;
  accepted: boolean;
  /** For accepted cases: fragments of the generated ExecStart=. For rejected: the generator's error. */
  expect: readonly string[];
  /** For accepted cases: fragments of the whole generated unit. */
  unitContains?: readonly string[];
}

export const QUADLET_FEATURE_PROBES_54: readonly QuadletFeatureProbe[] = [
  {
    name: "entrypoint",
    feature: "override the image entrypoint",
    group: "Container",
    lines: ["Entrypoint=/bin/sh"],
    accepted: true,
    expect: ["--entrypoint /bin/sh"],
  },
  {
    name: "entrypoint-args",
    feature: "entrypoint via PodmanArgs (pre-5.0 fallback)",
    group: "Container",
    lines: ["PodmanArgs=--entrypoint=/bin/sh"],
    accepted: true,
    expect: ["--entrypoint=/bin/sh"],
  },
  {
    name: "group-add",
    feature: "keep the host user's groups",
    group: "Container",
    lines: ["GroupAdd=keep-groups"],
    accepted: true,
    expect: ["--group-add keep-groups"],
  },
  {
    name: "add-device",
    feature: "pass a device",
    group: "Container",
    lines: ["AddDevice=/dev/fuse"],
    accepted: true,
    expect: ["--device /dev/fuse"],
  },
  {
    name: "user-group",
    feature: "run as a fixed uid/gid",
    group: "Container",
    lines: ["User=1000", "Group=1000"],
    accepted: true,
    expect: ["--user 1000:1000"],
  },
  {
    name: "secret-env",
    feature: "Podman secret as an environment variable",
    group: "Container",
    lines: ["Secret=paperclip-api-key,type=env,target=API_KEY"],
    accepted: true,
    expect: ["--secret paperclip-api-key,type=env,target=API_KEY"],
  },
  {
    name: "notify-healthy",
    feature: "service is ready when the health check passes",
    group: "Container",
    lines: ["HealthCmd=/bin/true", "Notify=healthy"],
    accepted: true,
    expect: ["--sdnotify=healthy", "--health-cmd /bin/true"],
  },
  {
    name: "health-cmd",
    feature: "health check with arguments",
    group: "Container",
    lines: ["HealthCmd=curl -f http://localhost/"],
    accepted: true,
    expect: ['--health-cmd "curl -f http://localhost/"'],
  },
  {
    name: "auto-update",
    feature: "podman auto-update",
    group: "Container",
    lines: ["AutoUpdate=registry"],
    accepted: true,
    expect: ["--label io.containers.autoupdate=registry"],
  },
  {
    name: "read-only",
    feature: "read-only root filesystem",
    group: "Container",
    lines: ["ReadOnly=true"],
    accepted: true,
    expect: ["--read-only"],
  },
  {
    name: "no-new-privileges",
    feature: "no privilege escalation",
    group: "Container",
    lines: ["NoNewPrivileges=true"],
    accepted: true,
    expect: ["--security-opt=no-new-privileges"],
  },
  {
    name: "label-disable",
    feature: "disable SELinux separation",
    group: "Container",
    lines: ["SecurityLabelDisable=true"],
    accepted: true,
    expect: ["--security-opt label=disable"],
  },
  {
    name: "pid-host-args",
    feature: "host PID namespace",
    group: "Container",
    lines: ["PodmanArgs=--pid=host"],
    accepted: true,
    expect: ["--pid=host"],
  },
  {
    name: "pid-key",
    feature: "host PID namespace as a key (does not exist)",
    group: "Container",
    lines: ["Pid=host"],
    accepted: false,
    expect: ["unsupported key 'Pid' in group 'Container'"],
  },
  {
    name: "pids-limit",
    feature: "limit the number of processes",
    group: "Container",
    lines: ["PidsLimit=100"],
    accepted: true,
    expect: ["--pids-limit 100"],
  },
  {
    name: "network-host",
    feature: "host networking",
    group: "Container",
    lines: ["Network=host"],
    accepted: true,
    expect: ["--network host"],
  },
  {
    name: "volume-home",
    feature: "bind a directory of the user's home, read-only, relabelled",
    group: "Container",
    lines: ["Volume=%h/data:/x:ro,Z"],
    accepted: true,
    expect: ["-v %h/data:/x:ro,Z"],
  },
  {
    name: "uses-build",
    feature: "run the image a .build unit makes",
    group: "Container",
    lines: ["Image=paperclip.build"],
    accepted: true,
    expect: [" localhost/paperclip:dev"],
    unitContains: ["Requires=paperclip-build.service\nAfter=paperclip-build.service"],
  },
  {
    name: "installed",
    feature: "start with the user's session",
    group: "Container",
    lines: [],
    trailer: "[Install]\nWantedBy=default.target\n",
    accepted: true,
    expect: ["podman run"],
    unitContains: ["[Install]\nWantedBy=default.target"],
  },
  {
    name: "memory",
    feature: "memory limit as a key",
    group: "Container",
    lines: ["Memory=512m"],
    accepted: false,
    expect: ["unsupported key 'Memory' in group 'Container'"],
  },
  {
    name: "retry",
    feature: "pull retries as a key",
    group: "Container",
    lines: ["Retry=3"],
    accepted: false,
    expect: ["unsupported key 'Retry' in group 'Container'"],
  },
  {
    name: "reload-cmd",
    feature: "reload command as a key",
    group: "Container",
    lines: ["ReloadCmd=/bin/true"],
    accepted: false,
    expect: ["unsupported key 'ReloadCmd' in group 'Container'"],
  },
  {
    name: "paperclip",
    feature: "build the Paperclip image locally",
    group: "Build",
    lines: ["ImageTag=localhost/paperclip:dev", "File=Containerfile", "SetWorkingDirectory=unit", "Pull=missing"],
    accepted: true,
    expect: ["podman build --pull=missing --tag localhost/paperclip:dev --file Containerfile "],
    unitContains: ["Type=oneshot"],
  },
];

/** The Quadlet file a probe case stands for. */
export function probeFileName(probe: QuadletFeatureProbe): string {
  return `${probe.name}.${probe.group === "Build" ? "build" : "container"}`;
}

export function probeFileText(probe: QuadletFeatureProbe): string {
  const setsImage = probe.lines.some((line) => line.startsWith("Image="));
  const lines = probe.group === "Container" && !setsImage ? ["Image=docker.io/library/alpine:3.20", ...probe.lines] : probe.lines;
  return `[${probe.group}]\n${lines.join("\n")}\n${probe.trailer === undefined ? "" : `\n${probe.trailer}`}`;
}

/** Keys a probe case sets, as [group, key] pairs (Install's WantedBy is systemd's, not Quadlet's). */
export function probeKeys(probe: QuadletFeatureProbe): Array<[QuadletGroup, string]> {
  return probe.lines.map((line) => [probe.group, line.slice(0, line.indexOf("="))]);
}
