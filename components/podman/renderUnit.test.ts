import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generatedUnitNamed, quadletValidator } from "../../cli/validators";
import { requireTool } from "../../cli/validators/testSupport";
import { renderUnit } from "./renderUnit";
import { type ContainerUnit, withSpecifiers } from "./unitModel";

const OPTIONS = { podmanVersion: "5.4" };

/** A container that exercises every value kind the renderer escapes. */
const adversarial: ContainerUnit = {
  kind: "container",
  name: "tricky",
  unit: { Description: '100% of "quoted" things', Wants: ["db.service"], After: ["db.service"] },
  container: {
    Image: "docker.io/library/alpine:3.20",
    ContainerName: "tricky",
    Environment: {
      SPACES: "hello world",
      PERCENT: "50%",
      DOLLAR: "$HOME stays literal",
      QUOTES: 'say "hi"',
      BACKSLASH: "C:\\path\\to",
      EMPTY: "",
    },
    Volume: [
      { source: withSpecifiers("%h/.config/harness/app/app.yaml"), destination: "/etc/app.yaml", options: ["ro", "Z"] },
      { source: "data.volume", destination: "/data" },
    ],
    HealthCmd: ["CMD-SHELL", 'test "$(cat /ready)" = "100%"'],
    PodmanArgs: ["--entrypoint=/bin/sh"],
    Exec: ["-c", 'echo "$HOME" 100% \\done', "last word"],
  },
  service: { Restart: "on-failure", TimeoutStartSec: "900" },
  install: { WantedBy: ["harness.target"] },
};

describe("renderUnit", () => {
  it("renders a container unit (snapshot)", () => {
    expect(renderUnit(adversarial, OPTIONS)).toMatchSnapshot();
  });

  it("renders network, volume, build, target and timer units (snapshot)", () => {
    expect(
      [
        renderUnit({ kind: "network", name: "harness", network: { NetworkName: "harness", Subnet: ["10.89.0.0/24"] } }, OPTIONS),
        renderUnit({ kind: "volume", name: "data", volume: { VolumeName: "data", User: "1000", Group: "1000" } }, OPTIONS),
        renderUnit(
          {
            kind: "build",
            name: "app",
            build: { ImageTag: ["localhost/app:1"], File: withSpecifiers("%h/.config/harness/app/Containerfile"), Pull: "missing" },
          },
          OPTIONS,
        ),
        renderUnit(
          { kind: "target", name: "harness", unit: { Description: "All of it" }, install: { WantedBy: ["default.target"] } },
          OPTIONS,
        ),
        renderUnit({ kind: "timer", name: "etl", timer: { OnCalendar: ["*-*-* 03:00:00 Europe/Paris"], Persistent: true } }, OPTIONS),
      ].join("\n----\n"),
    ).toMatchSnapshot();
  });

  it("refuses control characters instead of writing a second line", () => {
    const unit: ContainerUnit = {
      ...adversarial,
      container: { ...adversarial.container, Environment: { BAD: "a\nExecStartPre=/bin/evil" } },
    };
    expect(() => renderUnit(unit, OPTIONS)).toThrow(
      'tricky.container: Environment: value contains a control character (newline, tab…): "BAD=a\\nExecStartPre=/bin/evil"',
    );
  });

  it("refuses an empty command-line argument, which Quadlet would silently drop with all that follow", () => {
    const unit: ContainerUnit = { ...adversarial, container: { ...adversarial.container, Exec: ["-c", "", "echo"] } };
    expect(() => renderUnit(unit, OPTIONS)).toThrow(
      "tricky.container: Exec: an empty argument would make Quadlet drop it and every argument after it",
    );
  });

  it("refuses a value that is not a single token where one is required", () => {
    const unit: ContainerUnit = {
      ...adversarial,
      container: { ...adversarial.container, Image: "docker.io/library/alpine:3 --privileged" },
    };
    expect(() => renderUnit(unit, OPTIONS)).toThrow("tricky.container: Image: value must be a single token without spaces or quotes");
  });

  it("refuses keys the configured Podman does not know", () => {
    const unit: ContainerUnit = { ...adversarial, container: { ...adversarial.container, GroupAdd: ["video"] } };
    expect(() => renderUnit(unit, { podmanVersion: "5.0" })).toThrow(
      "tricky.container: GroupAdd: [Container] GroupAdd= needs Podman 5.1, the target runs 5.0",
    );
    expect(() =>
      renderUnit({ ...adversarial, container: { ...adversarial.container, Image: "app.build" } }, { podmanVersion: "5.1" }),
    ).toThrow("Image= with a reference to a .build unit needs Podman 5.2");
  });

  it("survives the real Quadlet generator: every value reaches podman exactly as declared", async (context) => {
    requireTool(context, "quadlet");
    const dir = mkdtempSync(join(tmpdir(), "render-unit-"));
    try {
      writeFileSync(join(dir, "tricky.container"), renderUnit(adversarial, OPTIONS));
      writeFileSync(join(dir, "data.volume"), renderUnit({ kind: "volume", name: "data", volume: { VolumeName: "data" } }, OPTIONS));
      writeFileSync(
        join(dir, "db.container"),
        renderUnit({ kind: "container", name: "db", container: { Image: "docker.io/library/postgres:16" } }, OPTIONS),
      );
      const validation = await quadletValidator({ quadletDir: dir });
      expect(validation.results.filter((r) => r.status !== "passed")).toEqual([]);
      const generated = generatedUnitNamed(validation, "tricky.service");
      const execStart = /^ExecStart=(.*)$/m.exec(generated!.text)![1]!;
      const argv = systemdCommandLine(execStart);
      const envs = argv.flatMap((arg, i) => (arg === "--env" ? [argv[i + 1]] : []));
      // The generator sorts --env flags; the values must arrive exactly.
      expect(envs.sort()).toEqual(
        Object.entries(adversarial.container.Environment!)
          .map(([name, value]) => `${name}=${value}`)
          .sort(),
      );
      expect(argv.slice(-adversarial.container.Exec!.length)).toEqual(adversarial.container.Exec);
      expect(JSON.parse(argv[argv.indexOf("--health-cmd") + 1]!)).toEqual(adversarial.container.HealthCmd);
      // Intended specifiers survive for systemd to expand; nothing else became one.
      expect(argv).toContain("%h/.config/harness/app/app.yaml:/etc/app.yaml:ro,Z");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("Quadlet keys newer than the host's Podman", () => {
  const limited = (podmanVersion: string) =>
    renderUnit({ kind: "container", name: "big", container: { Image: "docker.io/library/alpine:3.20", Memory: "4g" } }, { podmanVersion });

  it("writes Memory= where the generator has it (5.5) and PodmanArgs=--memory= before", () => {
    expect(limited("5.5")).toMatch(/^Memory=4g$/m);
    expect(limited("5.4")).not.toMatch(/^Memory=/m);
    expect(limited("5.4")).toMatch(/^PodmanArgs=--memory=4g$/m);
  });

  it("the downgraded limit reaches podman run through the real 5.4 generator", async (context) => {
    requireTool(context, "quadlet");
    const dir = mkdtempSync(join(tmpdir(), "render-unit-"));
    try {
      writeFileSync(join(dir, "big.container"), limited("5.4"));
      const validation = await quadletValidator({ quadletDir: dir });
      expect(validation.results.filter((r) => r.status !== "passed")).toEqual([]);
      expect(systemdCommandLine(/^ExecStart=(.*)$/m.exec(generatedUnitNamed(validation, "big.service")!.text)![1]!)).toContain(
        "--memory=4g",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * How systemd splits and unescapes an ExecStart= line (systemd.service(5), "Command lines"):
 * whitespace-separated words, double quotes with C-style backslash escapes, then `%%` → `%`
 * (specifiers; only escaped ones appear in our units) and `$$` → `$` (variable expansion).
 * Intended specifiers such as `%h` are left for systemd to expand.
 */
function systemdCommandLine(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === " ") i++;
    if (i >= line.length) break;
    let word = "";
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === "\\") {
          i++;
          const escaped = line[i];
          word += escaped === "n" ? "\n" : escaped === "t" ? "\t" : escaped;
        } else {
          word += line[i];
        }
        i++;
      }
      i++;
    } else {
      while (i < line.length && line[i] !== " ") word += line[i++];
    }
    words.push(word.replace(/%%|\$\$/g, (m) => m[0]!));
  }
  return words;
}
