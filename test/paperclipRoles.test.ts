/**
 * One Paperclip model, four targets: every target delivers each secret role of the model
 * (components/paperclip/paperclipSettings.ts, PAPERCLIP_SECRET_ROLES) as the same variables —
 * a Podman secret (fedora), a Fly secret (fly), a Kubernetes Secret (sealos, homelab: in
 * test/kubernetesStacks.test.ts, which renders those stacks). Also the same generated secrets.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { PAPERCLIP_GENERATED_SECRETS } from "../components/paperclip/paperclipSettings";
import { FLY_GENERATED_SECRETS, planFly } from "../infra/targets/fly/flyPlan";
import { flyStackConfig } from "./support/flyConfig";
import { containers, type FedoraRecording, recordFedora, unitValues } from "./support/fedoraStack";
import { MODEL_ROLE_MAP as MODEL, roleMap } from "./support/paperclipRoles";

const generatedNames = PAPERCLIP_GENERATED_SECRETS.map((spec) => spec.name);

let fedora: FedoraRecording;
beforeAll(async () => {
  fedora = await recordFedora();
});

describe("the secret roles of the Paperclip model, per target", () => {
  it("fedora: Podman secrets of type env on the paperclip container", () => {
    const targets = unitValues(containers(fedora.artifacts).get("paperclip")!, "Secret").flatMap(
      (line) => /,type=env,target=([A-Z0-9_]+)$/.exec(line)?.[1] ?? [],
    );
    expect(roleMap(targets)).toEqual(MODEL);
  });

  it("fly: Fly secrets of the app", () => {
    const plan = planFly(flyStackConfig(), "fly");
    expect(roleMap(plan.secrets.map((s) => s.name))).toEqual(MODEL);
    expect(FLY_GENERATED_SECRETS.map((s) => s.name)).toEqual(expect.arrayContaining(generatedNames));
  });
});
