import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { outputLines, runProcess } from "../../cli/validators/runProcess";
import { requireTool } from "../../cli/validators/testSupport";
import { QUADLET_FEATURE_PROBES_54, probeKeys } from "./quadletProbe54";
import {
  comparePodmanVersions,
  DEFAULT_PODMAN_VERSION,
  isQuadletKeySupported,
  podmanMinorVersion,
  PODMAN_MINOR_VERSIONS,
  QUADLET_KEYS,
  QUADLET_UNIT_TYPES,
  quadletEntryProblem,
  quadletKeySince,
  type PodmanMinorVersion,
  type QuadletGroup,
} from "./quadletKeys";

describe("the key table agrees with the 5.4 probe", () => {
  test("every key the 5.4 generator accepted in the probe is marked <= 5.4", () => {
    const accepted = QUADLET_FEATURE_PROBES_54.filter((probe) => probe.accepted).flatMap(probeKeys);
    expect(accepted.length).toBeGreaterThan(20);
    for (const [group, key] of accepted) {
      expect(quadletKeySince(group, key), `[${group}] ${key}`).toBeDefined();
      expect(isQuadletKeySupported(group, key, "5.4"), `[${group}] ${key} since ${quadletKeySince(group, key)}`).toBe(true);
    }
  });

  test("every key the 5.4 generator rejected is absent or marked > 5.4", () => {
    const rejected = QUADLET_FEATURE_PROBES_54.filter((probe) => !probe.accepted).flatMap(probeKeys);
    expect(rejected.map(([, key]) => key)).toEqual(["Pid", "Memory", "Retry", "ReloadCmd"]);
    for (const [group, key] of rejected) expect(isQuadletKeySupported(group, key, "5.4"), `[${group}] ${key}`).toBe(false);
    expect(quadletKeySince("Container", "Pid")).toBeUndefined();
    expect(quadletKeySince("Container", "Memory")).toBe("5.5");
  });
});

describe("version gating", () => {
  test("defaults to Podman 5.4", () => {
    expect(DEFAULT_PODMAN_VERSION).toBe("5.4");
    expect(isQuadletKeySupported("Container", "GroupAdd")).toBe(true);
    expect(isQuadletKeySupported("Container", "Memory")).toBe(false);
  });

  test("a key is supported from its release on, not before", () => {
    expect(isQuadletKeySupported("Container", "Entrypoint", "4.9")).toBe(false);
    expect(isQuadletKeySupported("Container", "Entrypoint", "5.0")).toBe(true);
    expect(isQuadletKeySupported("Container", "Memory", "5.5")).toBe(true);
    expect(isQuadletKeySupported("Build", "BuildArg", "5.6")).toBe(false);
    expect(isQuadletKeySupported("Build", "BuildArg", "5.7")).toBe(true);
    expect(isQuadletKeySupported("Container", "Imagee", "5.8")).toBe(false);
  });

  test("inherited object properties are not keys", () => {
    expect(quadletKeySince("Container", "toString")).toBeUndefined();
    expect(quadletKeySince("Container", "constructor")).toBeUndefined();
  });

  test("quadletEntryProblem explains keys and values too new for the target", () => {
    expect(quadletEntryProblem("Container", "Memory", "512m")).toBe("[Container] Memory= needs Podman 5.5, the target runs 5.4");
    expect(quadletEntryProblem("Container", "Pid", "host")).toMatch(/not a Quadlet key in any Podman release/);
    expect(quadletEntryProblem("Container", "Image", "paperclip.build")).toBeUndefined();
    expect(quadletEntryProblem("Container", "Image", "paperclip.build", "5.1")).toBe(
      "[Container] Image= with a reference to a .build unit needs Podman 5.2, the target runs 5.1",
    );
    expect(quadletEntryProblem("Container", "Notify", "healthy", "4.9")).toMatch(/Notify=healthy needs Podman 5\.0/);
    expect(quadletEntryProblem("Container", "Notify", "true", "4.9")).toBeUndefined();
    expect(quadletEntryProblem("Container", "Network", "db.container:alias=x", "5.2")).toMatch(/\.container unit needs Podman 5\.3/);
    expect(quadletEntryProblem("Container", "Network", "paperclip.network", "4.4")).toBeUndefined();
  });

  test("versions parse from package versions and compare in release order", () => {
    expect(podmanMinorVersion("5.4.2+ds1-2+b2")).toBe("5.4");
    expect(podmanMinorVersion("5.10.0")).toBeUndefined();
    expect(podmanMinorVersion("4.3.1")).toBeUndefined();
    expect(comparePodmanVersions("4.9", "5.0")).toBeLessThan(0);
    expect(comparePodmanVersions("5.6", "5.4")).toBeGreaterThan(0);
  });

  test("the table covers 4.4 to 5.8 and every version is one of those releases", () => {
    expect(PODMAN_MINOR_VERSIONS[0]).toBe("4.4");
    expect(PODMAN_MINOR_VERSIONS.at(-1)).toBe("5.8");
    for (const [group, keys] of Object.entries(QUADLET_KEYS)) {
      for (const [key, since] of Object.entries(keys)) {
        expect(PODMAN_MINOR_VERSIONS as readonly string[], `[${group}] ${key}`).toContain(since);
      }
    }
    // No key predates its unit type.
    for (const unitType of Object.values(QUADLET_UNIT_TYPES)) {
      for (const [key, since] of Object.entries(QUADLET_KEYS[unitType.group])) {
        expect(comparePodmanVersions(since as PodmanMinorVersion, unitType.since), `[${unitType.group}] ${key}`).toBeGreaterThanOrEqual(0);
      }
    }
  });
});

/**
 * Every key of the table against the installed generator: each key gets its own file, and the
 * generator must reject exactly the keys the table marks newer than its version ("unsupported key")
 * — plus a made-up key, which proves the check can fail.
 */
describe("the whole key table against the installed generator", () => {
  const directories: string[] = [];
  afterEach(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });

  // A minimal file of each type; the key under test is appended to its group.
  const SKELETONS: Partial<Record<QuadletGroup, { extension: string; body: string }>> = {
    Container: { extension: "container", body: "[Container]\nImage=docker.io/library/alpine:3.20\n" },
    Network: { extension: "network", body: "[Network]\n" },
    Volume: { extension: "volume", body: "[Volume]\n" },
    Build: { extension: "build", body: "[Build]\nImageTag=localhost/probe:dev\n" },
    Pod: { extension: "pod", body: "[Pod]\n" },
    Image: { extension: "image", body: "[Image]\nImage=docker.io/library/alpine:3.20\n" },
    Kube: { extension: "kube", body: "[Kube]\nYaml=probe.yaml\n" },
    Quadlet: { extension: "container", body: "[Container]\nImage=docker.io/library/alpine:3.20\n[Quadlet]\n" },
  };
  const MADE_UP_KEY = "NotAQuadletKey";

  test("rejects exactly the keys marked newer than its version", async (context) => {
    const quadlet = requireTool(context, "quadlet");
    const versionOutcome = await runProcess(quadlet, ["-version"], { timeoutMs: 10_000 });
    const version = podmanMinorVersion(versionOutcome.stdout.trim());
    if (version === undefined) throw new Error(`unexpected quadlet version ${versionOutcome.stdout}`);

    const directory = mkdtempSync(path.join(os.tmpdir(), "quadlet-keys-"));
    directories.push(directory);
    const expectedRejections: string[] = [];
    const fileNames = new Map<string, string>(); // file name -> "[Group] Key"
    for (const [group, skeleton] of Object.entries(SKELETONS) as Array<[QuadletGroup, { extension: string; body: string }]>) {
      const keys = [...Object.keys(QUADLET_KEYS[group]), MADE_UP_KEY];
      for (const key of keys) {
        const fileName = `${group.toLowerCase()}-${key}.${skeleton.extension}`;
        writeFileSync(path.join(directory, fileName), `${skeleton.body}${key}=probe\n`);
        fileNames.set(fileName, `[${group}] ${key}`);
        if (!isQuadletKeySupported(group, key, version)) expectedRejections.push(`[${group}] ${key}`);
      }
    }

    const outDir = path.join(directory, "out");
    const outcome = await runProcess(quadlet, ["-no-kmsg-log", "-user", outDir], {
      env: { ...process.env, QUADLET_UNIT_DIRS: directory },
      timeoutMs: 60_000,
    });
    const rejected: string[] = [];
    for (const line of outputLines(outcome.stderr)) {
      const match = /converting "([^"]+)": unsupported key '([^']+)' in group '([^']+)'/.exec(line);
      if (match === null) continue; // other complaints (bad probe values) are not about key support
      const [, fileName = "", key = "", group = ""] = match;
      expect(fileNames.get(fileName), line).toBe(`[${group}] ${key}`);
      rejected.push(`[${group}] ${key}`);
    }
    expect(rejected.sort()).toEqual(expectedRejections.sort());
    expect(rejected).toContain(`[Container] ${MADE_UP_KEY}`);
  });
});
