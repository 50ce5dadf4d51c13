import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listD1Migrations } from "./migrations";

describe("listD1Migrations (repository)", () => {
  it("lists the ledger and ETL migrations in application order", () => {
    const sets = listD1Migrations();
    expect(sets.map((set) => set.database)).toEqual(["ledger", "etl"]);
    for (const set of sets) {
      expect(set.files.length).toBeGreaterThan(0);
      expect(set.files[0]?.name).toMatch(/^0001_/);
    }
  });
});

describe("listD1Migrations (numbering rules)", () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function fixture(files: Record<"ledger" | "etl", string[]>): string {
    root = mkdtempSync(path.join(tmpdir(), "d1-migrations-"));
    for (const [database, names] of Object.entries(files)) {
      mkdirSync(path.join(root, database));
      for (const name of names) writeFileSync(path.join(root, database, name), `-- ${name}\n`);
    }
    return root;
  }

  it("orders by number and ignores files that are not SQL, as wrangler does", () => {
    const sets = listD1Migrations(fixture({ ledger: ["0002_b.sql", "README.md", "0001_a.sql"], etl: [] }));
    expect(sets[0]?.files.map((file) => file.name)).toEqual(["0001_a.sql", "0002_b.sql"]);
    expect(sets[1]?.files).toEqual([]);
  });

  it("carries each file's text and the SHA-256 of its bytes", () => {
    const [ledger] = listD1Migrations(fixture({ ledger: ["0001_a.sql"], etl: [] }));
    expect(ledger?.files).toEqual([
      {
        name: "0001_a.sql",
        sql: "-- 0001_a.sql\n",
        // printf -- '-- 0001_a.sql\n' | sha256sum
        sha256: "eb7e044d6df82ccf87d573515e3c12895616ef6153912ea8e316201045b7cfe5",
      },
    ]);
  });

  it("rejects a gap in the numbering", () => {
    expect(() => listD1Migrations(fixture({ ledger: ["0001_a.sql", "0003_c.sql"], etl: [] }))).toThrow(
      /0003_c\.sql: expected migration number 0002/,
    );
  });

  it("rejects a duplicated number", () => {
    expect(() => listD1Migrations(fixture({ ledger: [], etl: ["0001_a.sql", "0001_b.sql"] }))).toThrow(
      /0001_b\.sql: expected migration number 0002/,
    );
  });

  it("rejects a name wrangler would order differently", () => {
    expect(() => listD1Migrations(fixture({ ledger: ["1_init.sql"], etl: [] }))).toThrow(/must look like 0001_snake_case\.sql/);
  });
});
