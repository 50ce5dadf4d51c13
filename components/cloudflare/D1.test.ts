import { beforeAll, describe, expect, it } from "vitest";
import { listD1Migrations } from "../../apps/d1/migrations";
import { fakeUuid } from "../../cli/engine/offlineMocks";
import { planDocument } from "../../cli/engine/planDocument";
import { CF, isSecret, recordComponents, resourceNamed, unsecret, type ComponentRecording } from "../../test/support/recordComponents";
import { D1 } from "./D1";
import { d1MigrationsScript } from "./d1Migrations";

const ACCOUNT = "5d1c7a3e9b2f4e6a8c0d1b3f5a7e9c2d";
const TOKEN = "d1-test-token-7c4e1f9a2b8d5e3c6a0f";
const LEDGER = listD1Migrations().find((set) => set.database === "ledger")!.files;
const DATABASE_ID = fakeUuid(`test/${CF.d1Database}/ledger-database`);
let recording: ComponentRecording;

beforeAll(async () => {
  recording = await recordComponents(() => {
    const ledger = new D1("ledger", {
      accountId: ACCOUNT,
      databaseName: "harness-run-ledger",
      migrations: LEDGER,
      apiToken: TOKEN,
      protect: true,
    });
    const etl = new D1("etl", { accountId: ACCOUNT, databaseName: "harness-etl", migrations: [], apiToken: TOKEN });
    return { ledgerId: ledger.databaseId, etlName: etl.databaseName };
  });
});

describe("D1", () => {
  it("creates the database, protected when asked", () => {
    const database = resourceNamed(recording.resources, "ledger-database");
    expect(database.type).toBe(CF.d1Database);
    expect(database.inputs).toEqual({ accountId: ACCOUNT, name: "harness-run-ledger" });
    expect(database.protect).toBe(true);
    expect(resourceNamed(recording.resources, "etl-database").protect).toBe(false);
  });

  it("applies its migrations with the fixed script, the SQL on stdin, rerun when a hash or the database changes", () => {
    const migrations = resourceNamed(recording.resources, "ledger-migrations");
    expect(migrations.type).toBe("command:local:Command");
    const inputs = migrations.inputs;
    expect(inputs.create).toBe(d1MigrationsScript("harness-run-ledger"));
    const bundle = JSON.parse(inputs.stdin as string) as {
      wrangler: { d1_databases: Array<Record<string, string>> };
      migrations: unknown[];
    };
    expect(bundle.wrangler.d1_databases[0]).toMatchObject({ database_name: "harness-run-ledger", database_id: DATABASE_ID });
    expect(bundle.migrations).toEqual(LEDGER.map(({ name, sql }) => ({ name, sql })));
    expect(inputs.triggers).toEqual([DATABASE_ID, ...LEDGER.map((file) => `${file.name}:${file.sha256}`)]);
    expect(migrations.dependencies).toContain(resourceNamed(recording.resources, "ledger-database").urn);
  });

  it("gives wrangler the account and the token in its environment, the token secret", () => {
    const environment = resourceNamed(recording.resources, "ledger-migrations").inputs.environment;
    expect(unsecret(environment)).toEqual({
      CI: "true",
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_HIDE_BANNER: "true",
      CLOUDFLARE_ACCOUNT_ID: ACCOUNT,
      CLOUDFLARE_API_TOKEN: TOKEN,
    });
    const token = (environment as Record<string, unknown>).CLOUDFLARE_API_TOKEN;
    expect(isSecret(environment) || isSecret(token)).toBe(true);
  });

  it("keeps the token out of the plan", () => {
    const plan = JSON.stringify(
      planDocument({
        project: "p",
        stack: "test",
        stackFile: "",
        resources: recording.resources,
        outputs: {},
        producedSecrets: [],
        secretConfigValues: [],
      }),
    );
    expect(plan).toContain("harness-run-ledger");
    expect(plan).not.toContain(TOKEN);
  });

  it("outputs the database's id (which users bind to; it carries the migrations as a dependency)", () => {
    expect(recording.outputs.ledgerId).toBe(DATABASE_ID);
    const component = recording.resources.find((r) => r.type === "harness:cloudflare:D1" && r.name === "ledger")!;
    expect(unsecret(component.outputs?.databaseId)).toBe(DATABASE_ID);
  });
});
