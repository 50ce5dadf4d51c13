import { readFileSync } from "node:fs";
import { PAPERCLIP_UPSTREAM_IMAGE } from "../components/paperclip/paperclipSettings";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generatedFiles } from "./generatedFiles";
import { replaceSection } from "./readmeSections";

const SERVICES_TABLE_BEGIN = "<!-- BEGIN services table -->";
const SERVICES_TABLE_END = "<!-- END services table -->";

const ROOT = path.resolve(__dirname, "..");

describe("generated files", () => {
  it.each(generatedFiles().map((f) => [f.path, f] as const))("%s is up to date (npm run generate)", (_, file) => {
    const current = readFileSync(path.join(ROOT, file.path), "utf8");
    expect(file.render(current)).toBe(current);
  });

  it("the README's services table lists every service of the catalogue with its routing posture", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const table = readme.slice(readme.indexOf(SERVICES_TABLE_BEGIN), readme.indexOf(SERVICES_TABLE_END));
    expect(table).toMatch(
      /^\| `postfix` \| [^|]+ \| `docker\.io\/boky\/postfix:4\.3\.0` \| direct, internal \| — \| 25, 587, 465 \| `dovecot`, `rspamd`, `piler`, the internet \|/m,
    );
    expect(table).toContain(
      `| \`paperclip\` | Paperclip agent orchestrator (UI + API) | built on the host from \`${PAPERCLIP_UPSTREAM_IMAGE}\` | cloudflared | \`paperclip.<domain>\` |`,
    );
    expect(table).toMatch(
      /^\| `piler` \|.*\| Off: the mail archive stays off until the employee-transparency notice is confirmed \(`pilerTransparencyNoticeConfirmed`\)\. \|$/m,
    );
  });
});

describe("replaceSection", () => {
  it("replaces only what is between the markers", () => {
    expect(replaceSection("a\n<!-- BEGIN s -->\nold\n<!-- END s -->\nz\n", "s", "new")).toBe(
      "a\n<!-- BEGIN s -->\nnew\n<!-- END s -->\nz\n",
    );
  });

  it("says which markers are missing", () => {
    expect(() => replaceSection("no markers", "s", "x")).toThrow(
      'README.md must contain "<!-- BEGIN s -->" once, followed by "<!-- END s -->"',
    );
  });
});
