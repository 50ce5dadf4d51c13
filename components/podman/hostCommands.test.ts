import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { shellcheckValidator } from "../../cli/validators";
import { requireTool } from "../../cli/validators/testSupport";
import {
  createSecretScript,
  enableTargetScript,
  hostCheckScript,
  removeFileScript,
  removeSecretScript,
  restartScript,
  shellQuote,
  writeFileScript,
  writtenPath,
} from "./hostCommands";

const OWNER = { owner: "harness-file-x" };

const scripts: Record<string, string> = {
  "write unit": writeFileScript(".config/containers/systemd/paperclip.container", "0644", true, OWNER),
  "write config": writeFileScript(".config/harness/caddy/Caddyfile", "0600", false, OWNER),
  "remove unit": removeFileScript(".config/containers/systemd/paperclip.container", OWNER, "paperclip.service"),
  "remove config": removeFileScript(".config/harness/caddy/Caddyfile", OWNER),
  "create secret": createSecretScript("paperclip-database-url", OWNER),
  "remove secret": removeSecretScript("paperclip-database-url", OWNER),
  "write checked unit": writeFileScript(".config/containers/systemd/paperclip.container", "0644", true, { ...OWNER, keepsPrevious: true }),
  "create checked secret": createSecretScript("paperclip-database-url", { ...OWNER, keepsPrevious: true }),
  restart: restartScript({
    unit: "paperclip.service",
    files: [".config/containers/systemd/paperclip.container", ".config/harness/paperclip/config.json"],
    secrets: ["paperclip-database-url"],
    healthContainer: "paperclip",
    route: { hostname: "paperclip.sodimo.eu", address: "127.0.0.1:80" },
    timeoutSeconds: 600,
  }),
  "restart timer": restartScript({
    unit: "sodiwin-etl.timer",
    files: [".config/systemd/user/sodiwin-etl.timer"],
    secrets: [],
    timeoutSeconds: 60,
  }),
  "enable target": enableTargetScript("sodimo.target"),
  "host check": hostCheckScript({ podmanVersion: "5.4", lowestPrivilegedPort: 25 }),
};

describe("host scripts", () => {
  it("are what the harness runs (snapshot)", () => {
    expect(scripts).toMatchSnapshot();
  });

  it("pass shellcheck as POSIX sh", async (context) => {
    requireTool(context, "shellcheck");
    const dir = mkdtempSync(join(tmpdir(), "host-scripts-"));
    try {
      for (const [name, script] of Object.entries(scripts)) {
        const file = join(dir, `${name.replaceAll(" ", "-")}.sh`);
        // The scripts run through SSH's `sh -c`; say so for shellcheck.
        writeFileSync(file, `#!/bin/sh\n${script}`);
        const result = await shellcheckValidator({ file });
        expect({ name, status: result.status, message: result.message }).toEqual({ name, status: "passed", message: result.message });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("quote paths and names so nothing in them is interpreted by the shell", () => {
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    expect(writeFileScript(".config/a b/$(x)", "0644", false, OWNER)).toContain(`target="$HOME"/'.config/a b/$(x)'`);
  });

  it("refuse paths outside the home directory and invalid modes or names", () => {
    expect(() => writeFileScript("/etc/passwd", "0644", false, OWNER)).toThrow("host path must be relative to the home directory");
    expect(() => writeFileScript(".config/../../etc/passwd", "0644", false, OWNER)).toThrow('without ".."');
    expect(() => writeFileScript(".config/x", "644", false, OWNER)).toThrow("invalid file mode 644");
    expect(() => createSecretScript("bad name", OWNER)).toThrow("invalid Podman secret name bad name");
  });

  it("lets tools tell which file a command writes", () => {
    expect(writtenPath(scripts["write unit"])).toBe(".config/containers/systemd/paperclip.container");
    expect(writtenPath(scripts.restart)).toBeUndefined();
    expect(writtenPath(undefined)).toBeUndefined();
  });
});
