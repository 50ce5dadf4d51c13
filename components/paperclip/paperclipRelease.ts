/**
 * The one Paperclip release every target deploys (docs/paperclip-release.md has the evidence).
 * The container image (sealos, homelab, fedora's base image) and the npm package (the Fly image,
 * and the acceptance suite's `paperclipai`, scripts/install-validators.sh) both derive from it, so
 * the tests run exactly what the stacks deploy. Bump all fields together, from upstream's tag.
 */
export const PAPERCLIP_RELEASE = {
  /** Upstream's calendar version: npm `paperclipai@<version>`, ghcr tag `<version>`, git tag `v<version>`. */
  version: "2026.916.1",
  /** The commit upstream's tag v2026.916.1 points at (the image's `sha-<7 hex>` tag is its prefix). */
  commit: "d554c4789ed3930f8a53ac9fdf6503b3187097da",
  imageRepository: "ghcr.io/paperclipai/paperclip",
  /** The multi-arch (amd64, arm64) OCI index the `2026.916.1` tag names. */
  imageDigest: "sha256:a02ac35ac41df911af477422ea0e781cf41d2b2c600c66f0a5ac9d8c63f52c2c",
  /** `paperclipai`'s engines.node; the npm package `node` at `nodeVersion` provides one. */
  nodeEngine: ">=24.11.0",
  nodeVersion: "24.21.0",
} as const;

/** The image, by tag and digest: the tag for people, the digest so a re-pushed tag changes nothing. */
export const PAPERCLIP_IMAGE = `${PAPERCLIP_RELEASE.imageRepository}:${PAPERCLIP_RELEASE.version}@${PAPERCLIP_RELEASE.imageDigest}`;

/** The npm package of the same release (CLI and server). */
export const PAPERCLIP_NPM_PACKAGE = `paperclipai@${PAPERCLIP_RELEASE.version}`;
