import { describe, test } from "vitest";
import { edgeResources } from "../testing/edgeFixture";
import { containerOf, fedoraResources, fedoraSpec, type FedoraSpec } from "../testing/fedoraFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { agentNoServiceSecrets as policy } from "./agentNoServiceSecrets";

const PAPERCLIP = "harness-file-systemd-paperclip.container";
const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = fedoraSpec();
  mutate(spec);
  return [...fedoraResources(spec), ...edgeResources()];
};
const paperclip = (spec: FedoraSpec) => containerOf(spec, "paperclip").container;

describe("agent-no-service-secrets", () => {
  metadataTests(policy, { name: "agent-no-service-secrets", enforcementLevel: "mandatory" });

  test("baseline: the server's secrets under PAPERCLIP_* names, which agents do not inherit, and no database URL", async () => {
    expectNoViolations(await run(policy, fedora()));
  });

  test("the environment before the move: DATABASE_URL and BETTER_AUTH_SECRET as Podman secrets are reported", async () => {
    const resources = fedora((spec) =>
      paperclip(spec).Secret!.push(
        { name: "paperclip-database-url", type: "env", target: "DATABASE_URL" },
        { name: "paperclip-better-auth-secret", type: "env", target: "BETTER_AUTH_SECRET" },
      ),
    );
    expectViolations(await run(policy, resources), policy, [
      { resource: PAPERCLIP, message: /DATABASE_URL .* is a database credential/ },
      { resource: PAPERCLIP, message: /BETTER_AUTH_SECRET .* is an auth secret/ },
    ]);
  });

  test("of the PAPERCLIP_* names only the three the spawn path keeps reach an agent", async () => {
    const resources = fedora((spec) => {
      paperclip(spec).Environment!.PAPERCLIP_STORE_URL = "postgres://paperclip:hunter2hunter2@paperclip-db:5432/paperclip";
      paperclip(spec).Environment!.PAPERCLIP_RUNTIME_API_URL = "postgres://paperclip:hunter2hunter2@paperclip-db:5432/paperclip";
    });
    expectViolations(await run(policy, resources), policy, [
      { resource: PAPERCLIP, message: /PAPERCLIP_RUNTIME_API_URL .* connection URL with a password/ },
    ]);
  });

  test("#1 a postgres URL with a password under an innocent name, plain", async () => {
    const resources = fedora(
      (spec) => (paperclip(spec).Environment!.TOOL_DSN_X = "postgres://paperclip:hunter2hunter2@paperclip-db:5432/paperclip"),
    );
    expectViolations(await run(policy, resources), policy, [
      { resource: PAPERCLIP, message: /TOOL_DSN_X .* connection URL with a password/ },
    ]);
  });

  test("#2 a connection URL with a password delivered as a secret under another name", async () => {
    const resources = fedora((spec) => paperclip(spec).Secret!.push({ name: "paperclip-database-url", type: "env", target: "STORE" }));
    expectViolations(await run(policy, resources), policy, [{ resource: PAPERCLIP, message: /STORE .* connection URL with a password/ }]);
  });

  test("#3 database password and JWT secret variables by name", async () => {
    const resources = fedora((spec) => {
      paperclip(spec).Environment!.PG_PASSWORD = "x";
      paperclip(spec).Environment!.TWENTY_JWT_SECRET = "y";
    });
    expectViolations(await run(policy, resources), policy, [
      { resource: PAPERCLIP, message: /PG_PASSWORD .* is a database credential/ },
      { resource: PAPERCLIP, message: /TWENTY_JWT_SECRET .* is an auth secret/ },
    ]);
  });

  test("a URL without a password is not a credential", async () => {
    const resources = fedora((spec) => (paperclip(spec).Environment!.DOCS = "postgres://paperclip-db:5432/paperclip"));
    expectNoViolations(await run(policy, resources));
  });
});
