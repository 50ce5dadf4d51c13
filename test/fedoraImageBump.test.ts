/**
 * system.md §4.2: bumping one service's image rewrites that service's unit and restarts that
 * service — and nothing else changes. For every container service of the catalogue: record the
 * stack, record it again with `services.<name>.image` overridden, and diff the two plans the way
 * `pulumi preview` would (secrets fingerprinted with one key, so secret-derived triggers compare).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { diffPlans } from "../cli/engine/planDiff";
import { planDocument, type PlanDocument } from "../cli/engine/planDocument";
import { secretFingerprinter } from "../cli/engine/redact";
import { containerServiceNames, fedoraServices, P, recordFedora } from "./support/fedoraStack";

const fingerprint = secretFingerprinter("image-bump-test");
/** Piler joins the table too: its gate is open in these recordings. */
const BASE = { [`${P}pilerTransparencyNoticeConfirmed`]: "true" };

/** Every container service of the catalogue, as the stack resolves it; the first test fails when the stack has another. */
const SERVICES = containerServiceNames(fedoraServices(BASE));

async function plan(overrides: Record<string, string> = {}): Promise<PlanDocument> {
  const { recording } = await recordFedora({ ...BASE, ...overrides });
  return planDocument(recording, { fingerprint });
}

let base: PlanDocument;
beforeAll(async () => {
  base = await plan();
});

/** The files that name a service's image: its .container, or — for an image built on the host — its Containerfile and build unit. */
function imageFiles(name: string): string[] {
  return base.resources.some((r) => r.name === `harness-file-${name}.build`)
    ? [`harness-file-${name}-Containerfile`, `harness-file-${name}.build`]
    : [`harness-file-${name}.container`];
}

/** The service's restart: of its .service, or of its .timer for a scheduled job. */
function restartOf(name: string): string {
  const restart = base.resources.find((r) => r.name === `harness-restart-${name}.service` || r.name === `harness-restart-${name}.timer`);
  if (!restart) throw new Error(`no restart for ${name}`);
  return restart.name;
}

describe("bumping one service's image", () => {
  it("is tested for every container service of the stack", () => {
    const containers = base.resources
      .filter((r) => /^harness-file-.*\.container$/.test(r.name))
      .map((r) => r.name.slice("harness-file-".length, -".container".length));
    expect(containers.sort()).toEqual([...SERVICES].sort());
  });

  it.each(SERVICES)("%s: rewrites its own unit and restarts it, and nothing else", async (name) => {
    const changes = diffPlans(
      base,
      await plan({ [`${P}services`]: JSON.stringify({ [name]: { image: `docker.io/example/${name}-bumped:9.9.9` } }) }),
    );
    expect(changes.map((c) => `${c.kind} ${c.name}`).sort()).toEqual(
      [...imageFiles(name).map((file) => `update ${file}`), `replace ${restartOf(name)}`].sort(),
    );
    // Replaced because its trigger (the hash of its own files and secrets) changed; a trigger built
    // from secrets is itself secret, and then compared as a whole.
    expect(changes.find((c) => c.name === restartOf(name))!.paths).toEqual([expect.stringMatching(/^triggers(\[0\])?$/)]);
  });
});
