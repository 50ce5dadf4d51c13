/** Keys of the `sealos` target: Paperclip in a Sealos Cloud workspace (system.md §7). */
import { z } from "zod";
import { dnsLabel, dnsName } from "../formats";
import { key } from "../keySpec";
import { kubernetesObjectName } from "./kubernetes";

export const sealosKeys = {
  sealosDomain: key({
    kind: "string",
    description: "Your Sealos region's cloud domain (what templates call SEALOS_CLOUD_DOMAIN); apps are published under it.",
    targets: ["sealos"],
    required: true,
    schema: dnsName,
    example: "usw.sealos.io",
  }),
  sealosHost: key({
    kind: "string",
    description: "The app's host label: Paperclip is served at https://<sealosHost>.<sealosDomain>. It must be unique in the region.",
    targets: ["sealos"],
    required: true,
    schema: dnsLabel,
    example: "paperclip-sodimo",
  }),
  sealosCertSecretName: key({
    kind: "string",
    description: "The TLS Secret Sealos provides for its cloud domain (what templates call SEALOS_CERT_SECRET_NAME).",
    targets: ["sealos"],
    default: "wildcard-cert",
    schema: kubernetesObjectName.default("wildcard-cert"),
  }),
  sealosObjectStorage: key({
    kind: "boolean",
    description:
      "Store attachments and assets in a Sealos ObjectStorageBucket (PAPERCLIP_STORAGE_PROVIDER=s3) instead of the /paperclip volume. Paperclip passes its environment to agents, so they then hold the bucket's credentials too.",
    targets: ["sealos"],
    default: false,
    schema: z.boolean({ error: "expected true or false" }).default(false),
  }),
};
