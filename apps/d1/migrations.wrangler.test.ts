import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalD1, type WranglerRun } from "../../test/support/localD1";
import { D1_DATABASE_ROLES, d1MigrationsDirectory, listD1Migrations, type D1DatabaseRole } from "./migrations";

const EXPECTED_TABLES: Record<D1DatabaseRole, string[]> = {
  ledger: ["dead_letters", "run_ledger"],
  etl: ["etl_runs"],
};

describe.each(D1_DATABASE_ROLES)("wrangler d1 migrations apply %s --local, twice", (role) => {
  const files = listD1Migrations().find((set) => set.database === role)?.files ?? [];
  let localD1: LocalD1;
  let firstRun: WranglerRun;
  let secondRun: WranglerRun;

  beforeAll(async () => {
    localD1 = new LocalD1();
    firstRun = await localD1.applyMigrations(role);
    secondRun = await localD1.applyMigrations(role);
  });
  afterAll(() => localD1.remove());

  it("applies every migration on the first run", () => {
    expect(firstRun.exitCode, firstRun.stderr).toBe(0);
    for (const { name } of files) expect(firstRun.stdout).toMatch(new RegExp(`${name}\\s*│\\s*✅`));
  });

  it("finds nothing to apply on the second run", () => {
    expect(secondRun.exitCode, secondRun.stderr).toBe(0);
    expect(secondRun.stdout).toContain("No migrations to apply!");
  });

  it("records each migration once in d1_migrations", async () => {
    const applied = await localD1.query(role, "SELECT name FROM d1_migrations ORDER BY id");
    expect(applied.map((row) => row["name"])).toEqual(files.map((file) => file.name));
  });

  it("creates the tables the database is for", async () => {
    const tables = await localD1.query(role, "SELECT name FROM sqlite_master WHERE type = 'table'");
    expect(tables.map((row) => row["name"])).toEqual(expect.arrayContaining(EXPECTED_TABLES[role]));
  });

  it("survives a replay of every file (a deploy-time applier may run one again)", async () => {
    for (const { name } of files) {
      const replay = await localD1.executeFile(role, path.join(d1MigrationsDirectory(role), name));
      expect(replay.exitCode, replay.stderr || replay.stdout).toBe(0);
    }
  });
});
