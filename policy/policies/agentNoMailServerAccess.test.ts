import { describe, test } from "vitest";
import { edgeResources } from "../testing/edgeFixture";
import { containerOf, fedoraResources, fedoraSpec, type FedoraSpec } from "../testing/fedoraFixture";
import { flyResources, flySpec } from "../testing/flyFixture";
import { homelabResources } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview, named } from "../testing/wire";
import { agentNoMailServerAccess as policy } from "./agentNoMailServerAccess";

const PAPERCLIP = "harness-file-systemd-paperclip.container";
const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = fedoraSpec();
  mutate(spec);
  return [...fedoraResources(spec), ...edgeResources()];
};
const paperclip = (spec: FedoraSpec) => containerOf(spec, "paperclip").container;

describe("agent-no-mail-server-access", () => {
  metadataTests(policy, { name: "agent-no-mail-server-access", enforcementLevel: "mandatory" });

  test("baseline: Postfix alone on the mail network; agents have no mail settings (fedora, homelab, fly)", async () => {
    expectNoViolations(await run(policy, fedora()));
    expectNoViolations(await run(policy, asFirstPreview(fedora())));
    expectNoViolations(await run(policy, homelabResources()));
    expectNoViolations(await run(policy, flyResources(flySpec())));
  });

  test("#1 the agent on the mail server's network", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => paperclip(spec).Network!.push("mail.network")),
    );
    expectViolations(diagnostics, policy, [
      { resource: PAPERCLIP, message: /^paperclip\.container: shares network mail with the mail server postfix\.container\.$/ },
    ]);
  });

  test("#2 the mail server on the agents' network", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (containerOf(spec, "postfix").container.Network = ["mail.network", "harness.network"])),
    );
    expectViolations(diagnostics, policy, [
      { resource: PAPERCLIP, message: /shares network harness with the mail server postfix\.container/ },
    ]);
  });

  test("#3 the agent in the host's network, where Postfix publishes its ports", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (paperclip(spec).Network = ["host"])),
    );
    expectViolations(diagnostics, policy, [
      { resource: PAPERCLIP, message: /runs in the host's network, where the mail server postfix\.container listens/ },
    ]);
  });

  test("#4 the agent joined to the mail server's network namespace", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (paperclip(spec).Network = ["container:postfix"])),
    );
    expectViolations(diagnostics, policy, [
      { resource: PAPERCLIP, message: /shares a network namespace with the mail server postfix\.container/ },
    ]);
  });

  test("#5 SMTP settings in the agent's environment", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (paperclip(spec).Environment!.SMTP_HOST = "mail.example.com")),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: PAPERCLIP,
        message: /SMTP_HOST \(Environment= in paperclip\.container\) configures sending mail, which agents do only through email_outbox/,
      },
    ]);
  });

  test("#6 a URL at the mail server under an innocent name", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (paperclip(spec).Environment!.NOTIFY_URL = "smtp://host.containers.internal:587")),
    );
    expectViolations(diagnostics, policy, [
      { resource: PAPERCLIP, message: /NOTIFY_URL=smtp:\/\/host\.containers\.internal:587 .* points at a mail server/ },
    ]);
  });

  test("#7 sendmail mounted into the agent", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => paperclip(spec).Volume!.push({ source: "/usr/sbin/sendmail", destination: "/usr/sbin/sendmail", options: ["ro"] })),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: PAPERCLIP,
        message: /mounts \/usr\/sbin\/sendmail at \/usr\/sbin\/sendmail, a way to hand mail to the local mail server/,
      },
    ]);
  });

  test("#8 a mail service's key (the homelab seed's optional RESEND_API_KEY)", async () => {
    const resources = homelabResources();
    (named(resources, "paperclip").properties.spec as any).template.spec.containers[0].env.push({
      name: "RESEND_API_KEY",
      valueFrom: { secretKeyRef: { name: "paperclip-resend", key: "RESEND_API_KEY", optional: true } },
    });
    expectViolations(await run(policy, resources), policy, [
      { resource: "paperclip", message: /RESEND_API_KEY .* is a mail service's credential; agents send mail only through email_outbox/ },
    ]);
  });

  test("#9 an SMTP password staged on Fly", async () => {
    const spec = flySpec();
    spec.secrets.SMTP_PASSWORD = "fixture-smtp-password-0000000001";
    expectViolations(await run(policy, flyResources(spec)), policy, [
      { resource: "fly-deploy", message: /SMTP_PASSWORD \(secrets staged by fly-secrets\) configures sending mail/ },
    ]);
  });
});
