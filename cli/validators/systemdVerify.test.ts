import { describe, expect, test } from "vitest";
import { parseVerifyStderr, planPlaceholders } from "./systemdVerify";

describe("parseVerifyStderr", () => {
  test("attributes path-prefixed and unit-prefixed lines to their unit, drops repeats", () => {
    const stderr = [
      "/tmp/units/web.service:35: Unknown key 'Restartt' in section [Service], ignoring.",
      "/tmp/units/web.service:35: Unknown key 'Restartt' in section [Service], ignoring.",
      "backup.service: Command /usr/bin/podmna is not executable: No such file or directory",
      "nightly.timer: Failed to create nightly.timer/start: Unit nightly.service not found.",
      "Failed to initialize manager: No such device or address",
      "",
    ].join("\n");
    expect(parseVerifyStderr(stderr)).toEqual([
      { unit: "web.service", line: 35, message: "Unknown key 'Restartt' in section [Service], ignoring." },
      { unit: "backup.service", line: undefined, message: "Command /usr/bin/podmna is not executable: No such file or directory" },
      { unit: "nightly.timer", line: undefined, message: "Failed to create nightly.timer/start: Unit nightly.service not found." },
      { unit: undefined, line: undefined, message: "Failed to initialize manager: No such device or address" },
    ]);
  });

  test("empty stderr is no problem", () => {
    expect(parseVerifyStderr("")).toEqual([]);
  });
});

describe("planPlaceholders", () => {
  // A pretend machine: /usr/bin and /usr/bin/systemctl exist, /bin is a symlink to /usr/bin, no /opt.
  const existing = new Set(["/", "/usr", "/usr/bin", "/usr/bin/systemctl", "/bin", "/usr/local", "/usr/local/bin"]);
  const probes = {
    exists: (candidate: string) => existing.has(candidate),
    realpath: (candidate: string) => (candidate === "/bin" ? "/usr/bin" : candidate),
  };

  test("only missing executables get placeholders; one overlay per directory", () => {
    const plan = planPlaceholders(["/usr/bin/podman", "/usr/bin/cloudflared", "/usr/bin/systemctl"], "/w/ph", probes);
    expect(plan.placeholderFiles).toEqual(["/w/ph/usr/bin/podman", "/w/ph/usr/bin/cloudflared"]);
    expect(plan.mounts).toEqual([{ mountPoint: "/usr/bin", placeholderDir: "/w/ph/usr/bin" }]);
  });

  test("nothing to do when every executable exists", () => {
    expect(planPlaceholders(["/usr/bin/systemctl"], "/w/ph", probes)).toEqual({ placeholderFiles: [], mounts: [] });
  });

  test("a missing directory is created inside the overlay of its nearest existing ancestor", () => {
    const plan = planPlaceholders(["/usr/libexec/podman/quadlet", "/usr/bin/podman"], "/w/ph", probes);
    expect(plan.placeholderFiles).toEqual(["/w/ph/usr/libexec/podman/quadlet", "/w/ph/usr/bin/podman"]);
    // /usr covers /usr/bin: the outermost mount point is kept.
    expect(plan.mounts).toEqual([{ mountPoint: "/usr", placeholderDir: "/w/ph/usr" }]);
  });

  test("symlinked directories are resolved to the directory the overlay must cover", () => {
    const plan = planPlaceholders(["/bin/podman"], "/w/ph", probes);
    expect(plan.placeholderFiles).toEqual(["/w/ph/usr/bin/podman"]);
    expect(plan.mounts).toEqual([{ mountPoint: "/usr/bin", placeholderDir: "/w/ph/usr/bin" }]);
  });

  test("refuses relative paths, specifiers, and paths with no existing directory but /", () => {
    expect(() => planPlaceholders(["podman"], "/w/ph", probes)).toThrow(/absolute path/);
    expect(() => planPlaceholders(["%h/.local/bin/drain"], "/w/ph", probes)).toThrow(/absolute path/);
    expect(() => planPlaceholders(["/opt/cloudflared/bin/cloudflared"], "/w/ph", probes)).toThrow(/no directory of its path exists/);
  });

  test("refuses directories overlayfs options cannot carry", () => {
    expect(() => planPlaceholders(["/usr/bin/podman"], "/w/p,h", probes)).toThrow(/overlay mount/);
  });
});
