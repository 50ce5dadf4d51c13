/**
 * Paperclip's S3 storage on a Sealos ObjectStorageBucket. Sealos publishes the workspace user's
 * object-storage credentials and endpoints in the Secret `object-storage-key` (accessKey, secretKey,
 * internal, external) and each bucket's real name in `object-storage-key-<user>-<bucket>` (bucket);
 * the user is the namespace's suffix (`ns-<user>`). Paperclip reads S3 credentials from the AWS SDK's
 * default chain, hence AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. Pure.
 */
import type * as k8s from "@pulumi/kubernetes";
import { PAPERCLIP_STORAGE_ENV } from "../paperclip/paperclipSettings";
import { secretEnv } from "./podSpec";

export const SEALOS_OBJECT_STORAGE_SECRET = "object-storage-key";

/** The Secret holding a bucket's real name. */
export function sealosBucketSecret(workspaceUser: string, bucketName: string): string {
  return `${SEALOS_OBJECT_STORAGE_SECRET}-${workspaceUser}-${bucketName}`;
}

/** Environment entries (in expansion order) that point Paperclip's storage at the bucket. */
export function sealosObjectStorageEnv(workspaceUser: string, bucketName: string): k8s.types.input.core.v1.EnvVar[] {
  const credentials = (key: string) => ({ secretName: SEALOS_OBJECT_STORAGE_SECRET, key });
  return [
    secretEnv("AWS_ACCESS_KEY_ID", credentials("accessKey")),
    secretEnv("AWS_SECRET_ACCESS_KEY", credentials("secretKey")),
    secretEnv("SEALOS_OBJECT_STORAGE_HOST", credentials("external")),
    { name: PAPERCLIP_STORAGE_ENV.provider, value: "s3" },
    secretEnv(PAPERCLIP_STORAGE_ENV.bucket, { secretName: sealosBucketSecret(workspaceUser, bucketName), key: "bucket" }),
    // Sealos's object storage is MinIO: any region is accepted; path-style addressing is required.
    { name: PAPERCLIP_STORAGE_ENV.region, value: "us-east-1" },
    { name: PAPERCLIP_STORAGE_ENV.endpoint, value: "https://$(SEALOS_OBJECT_STORAGE_HOST)" },
    { name: PAPERCLIP_STORAGE_ENV.forcePathStyle, value: "true" },
  ];
}
