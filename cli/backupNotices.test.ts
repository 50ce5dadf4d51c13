import { describe, expect, it } from "vitest";
import { backupNotices } from "./backupNotices";

const NOW = new Date("2026-12-03T12:00:00Z");

describe("backup notices in check", () => {
  it("says when the keys were never escrowed, or too long ago, and passes a recent escrow", () => {
    expect(backupNotices({ backups: {} }, "p/fedora", NOW)).toEqual([
      expect.objectContaining({ validator: "notice:escrow", status: "warned", message: expect.stringContaining("never confirmed") }),
    ]);
    expect(backupNotices({ backups: { escrowConfirmedAt: "2026-05-01" } }, "p/fedora", NOW)[0]).toMatchObject({
      status: "warned",
      message: expect.stringContaining("confirmed 2026-05-01, 216 days ago (more than 180)"),
    });
    expect(backupNotices({ backups: { escrowConfirmedAt: "2026-11-03" } }, "p/fedora", NOW)[0]).toMatchObject({
      status: "passed",
      message: "key escrow confirmed 2026-11-03 (30 days ago)",
    });
  });

  it("reports a target's explicit not-yet as advisory, and a stack without the output not at all", () => {
    expect(backupNotices({ backups: { notYet: "not yet: because", escrowConfirmedAt: "2026-12-01" } }, "p/fly", NOW)).toEqual([
      { validator: "notice:backups", target: "p/fly", status: "warned", message: "not yet: because (docs/backups.md)" },
      { validator: "notice:escrow", target: "p/fly", status: "passed", message: "key escrow confirmed 2026-12-01 (2 days ago)" },
    ]);
    expect(backupNotices({}, "p/x", NOW)).toEqual([]);
  });
});
