import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { recordComponents } from "../../test/support/recordComponents";
import { Secret32 } from "./Secret32";

function valueOf(output: pulumi.Output<string>): Promise<{ value: string; secret: boolean }> {
  return new Promise((resolve) => {
    pulumi.all([output, pulumi.isSecret(output)]).apply(([value, secret]) => resolve({ value, secret }));
  });
}

describe("Secret32", () => {
  it("is 32 random bytes as secret hex and base64", async () => {
    let secret!: Secret32;
    const { resources } = await recordComponents(() => {
      secret = new Secret32("auth");
    });
    const bytes = resources.find((r) => r.type === "random:index/randomBytes:RandomBytes")!;
    expect(bytes).toMatchObject({ name: "auth-bytes", inputs: { length: 32 }, protect: false });
    // The provider SDK itself marks both encodings secret.
    expect(new Set(bytes.additionalSecretOutputs)).toEqual(new Set(["base64", "hex"]));
    const hex = await valueOf(secret.hex);
    const base64 = await valueOf(secret.base64);
    expect(hex.secret && base64.secret).toBe(true);
    expect(hex.value).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(base64.value, "base64").toString("hex")).toBe(hex.value);
  });

  it("can be protected from deletion and replacement", async () => {
    const { resources } = await recordComponents(() => {
      new Secret32("master", { protect: true });
    });
    expect(resources.find((r) => r.name === "master-bytes")!.protect).toBe(true);
  });

  it("rotates only when its keepers change", async () => {
    const { resources } = await recordComponents(() => {
      new Secret32("db", { keepers: { rotation: "2026-11" } });
    });
    expect(resources.find((r) => r.name === "db-bytes")!.inputs.keepers).toEqual({ rotation: "2026-11" });
  });
});
