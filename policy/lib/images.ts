/** Container image references, as Podman, Kubernetes and Fly read them. */

export interface ImageReference {
  /** The whole reference as written. */
  text: string;
  /** First path component when it names a registry (has a dot or a port, or is localhost). */
  registry?: string;
  /** Repository path without registry, tag or digest (`paperclipai/paperclip`). */
  path: string;
  tag?: string;
  digest?: string;
}

const REFERENCE =
  /^(?<name>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}))?$/;

export function parseImage(text: string): ImageReference | undefined {
  const match = REFERENCE.exec(text.trim());
  const groups = match?.groups;
  if (!groups?.name) return undefined;
  const [first, ...rest] = groups.name.split("/");
  const hasRegistry = rest.length > 0 && (first!.includes(".") || first!.includes(":") || first === "localhost");
  return {
    text,
    ...(hasRegistry ? { registry: first! } : {}),
    path: hasRegistry ? rest.join("/") : groups.name,
    ...(groups.tag ? { tag: groups.tag } : {}),
    ...(groups.digest ? { digest: groups.digest } : {}),
  };
}

/** `registry/path` of a reference (no tag or digest), or the text when it does not parse. */
export function imageRepository(text: string): string {
  const image = parseImage(text);
  if (!image) return text;
  return image.registry ? `${image.registry}/${image.path}` : image.path;
}

/**
 * A floating tag names a moving target rather than a release: a branch or channel name with no
 * version in it (latest, main, main-stable, nightly, vulkan…), or one of the configured names.
 */
export function isFloatingTag(tag: string, extraFloatingTags: readonly string[]): boolean {
  return !/\d/.test(tag) || extraFloatingTags.some((floating) => floating.toLowerCase() === tag.toLowerCase());
}
