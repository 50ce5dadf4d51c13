import type { StackValidationPolicy } from "@pulumi/policy";
import { reasonProperty, settingsOf, stringList, type DefaultedSchema } from "../lib/config";
import { imageRepository, isFloatingTag, parseImage } from "../lib/images";
import { stackResources } from "../lib/plain";
import { readStack } from "../lib/workloads";

interface FloatingTagException {
  image: string;
  tag?: string;
  reason: string;
}

interface Settings {
  floatingTagAllowList: FloatingTagException[];
  floatingTags: string[];
}

const configSchema: DefaultedSchema = {
  properties: {
    floatingTagAllowList: {
      type: "array",
      description:
        "Images allowed a floating tag, each with the reason: `image` is the repository (registry/path, no tag), `tag` the one floating tag allowed (any, when omitted).",
      items: {
        type: "object",
        properties: { image: { type: "string", minLength: 1 }, tag: { type: "string", minLength: 1 }, reason: reasonProperty },
        required: ["image", "reason"],
        additionalProperties: false,
      },
      default: [
        {
          image: "quay.io/cockpit/ws",
          tag: "latest",
          reason: "Cockpit publishes only a rolling tag; it moves slowly and stays compatible (the seeds' one floating tag).",
        },
      ],
    },
    floatingTags: stringList(
      "Tags that float although they contain a digit (a tag without any digit, like latest, main or vulkan, always floats).",
      [],
    ),
  },
};

/**
 * Principle 1 and the seeds' lessons: short names fail under non-interactive auto-update
 * (short-name policy), and a tag that names a branch or channel (latest, main, main-stable, vulkan)
 * changes under a running system; upstream tags commit SHAs, so pin the SHA tag or a digest.
 */
export const imagesPinned: StackValidationPolicy = {
  name: "images-pinned",
  description:
    "Every container image is fully qualified (registry/path) and pinned to a versioned tag or a digest; a floating tag (latest, main, stable, nightly, vulkan…) only where allow-listed with a reason.",
  enforcementLevel: "mandatory",
  severity: "medium",
  tags: ["hardening", "principle-1"],
  remediationSteps:
    "Write the image as registry/path:version (docker.io/library/postgres:16.4, ghcr.io/paperclipai/paperclip:sha-d554c47) or with @sha256:<digest>; if an image really has only a floating tag, allow-list it in this policy's floatingTagAllowList with the reason.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const settings = settingsOf<Settings>(args, configSchema);
    const model = readStack(stackResources(args.resources));
    const images = [
      ...model.workloads.flatMap((w) => (typeof w.image === "string" ? [{ image: w.image, urn: w.urn, where: w.label }] : [])),
      ...model.otherImages,
    ];
    if (images.length === 0) args.notApplicable("no container images in this stack");
    for (const { image, urn, where } of images) {
      const parsed = parseImage(image);
      if (!parsed) {
        reportViolation(`${where}: ${image} is not an image reference.`, urn);
        continue;
      }
      if (!parsed.registry) {
        reportViolation(
          `${where}: ${image} is a short name; non-interactive pulls (auto-update) resolve short names by policy and fail. Write the registry (docker.io/library/…).`,
          urn,
        );
      }
      if (parsed.digest) continue;
      if (!parsed.tag) {
        reportViolation(`${where}: ${image} has no tag or digest, so it pulls whatever :latest is.`, urn);
        continue;
      }
      if (!isFloatingTag(parsed.tag, settings.floatingTags)) continue;
      const repository = imageRepository(image);
      const allowed = settings.floatingTagAllowList.some((a) => a.image === repository && (a.tag === undefined || a.tag === parsed.tag));
      if (!allowed) {
        reportViolation(
          `${where}: ${image} uses the floating tag ${parsed.tag}; pin a versioned tag or a digest (or allow-list it with a reason).`,
          urn,
        );
      }
    }
  },
};
