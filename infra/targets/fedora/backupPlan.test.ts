import { describe, expect, it } from "vitest";
import { CATALOG } from "../../catalog";
import { resolveCatalog } from "../../catalog/resolveCatalog";
import { deriveBackupPlan } from "./backupPlan";

const { catalog } = resolveCatalog(CATALOG, {
  domain: "example.com",
  networkName: "harness",
  overrides: {},
  extraSecretNames: new Set(),
  operatorKeys: new Set(["mailTlsCertificate", "mailTlsPrivateKey", "mailUsers"]),
  settings: { mailDomains: ["example.com"], mailHostname: "mail.example.com", pilerTransparencyNoticeConfirmed: false },
  hostPrograms: {},
});

describe("the fedora backup plan", () => {
  const plan = deriveBackupPlan(catalog, { repository: "/mnt/nas/harness-backups", offsite: true });
  const job = (service: string) => plan.jobs.find((j) => j.service === service)!;

  it("has a oneshot service and a persistent timer per declared service, and the weekly off-site copy", () => {
    const declared = catalog.services.filter((s) => s.backup).map((s) => `backup-${s.name}.timer`);
    expect(plan.timers).toEqual([...declared, "backup-offsite.timer"]);
    const service = plan.units.find((u) => u.kind === "service" && u.name === "backup-paperclip-db")!;
    expect(service.service).toMatchObject({
      Type: "oneshot",
      ExecStart: ["/usr/bin/bash", { withSpecifiers: "%h/.local/lib/paperclip-harness/harness-backup.sh" }, "backup", "paperclip-db"],
    });
    const timers = plan.units.filter((u) => u.kind === "timer");
    expect(new Set(timers.map((t) => t.kind === "timer" && t.timer.OnCalendar![0])).size).toBe(timers.length);
    expect(deriveBackupPlan(catalog, { repository: "/r", offsite: false }).timers).not.toContain("backup-offsite.timer");
  });

  it("stops what uses the data during a restore: a database's apps, a volume's every container", () => {
    expect(job("paperclip-db")).toMatchObject({ stopUnits: ["paperclip.service"], healthChecks: ["paperclip-db", "paperclip"] });
    expect([...job("twenty-db").stopUnits].sort()).toEqual(["twenty-worker.service", "twenty.service"]);
    expect([...job("twenty").stopUnits].sort()).toEqual(["twenty-worker.service", "twenty.service"]);
    expect(job("vaultwarden")).toMatchObject({ stopUnits: ["vaultwarden.service"], healthChecks: ["vaultwarden"], activeUnits: [] });
    expect(job("dovecot")).toMatchObject({ healthChecks: [], activeUnits: ["dovecot.service"] });
  });

  it("keeps the password and the off-site location out of the program: Podman secrets, read when it runs", () => {
    expect(plan.secrets.map((s) => s.name)).toEqual([
      "backup-repository-password",
      "backup-offsite-repository",
      "backup-r2-access-key-id",
      "backup-r2-secret-access-key",
    ]);
    const script = plan.files[0]!.content;
    expect(script).toContain("PASSWORD_SECRET='backup-repository-password'");
    expect(script).not.toMatch(/r2\.cloudflarestorage\.com/);
  });
});
