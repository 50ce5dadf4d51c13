import { provided } from "./secretValue";
import type { ServiceDefinition } from "./types";

/**
 * The nightly ETL: Sodiwin's CSV dump (on the NAS, from SFTP at 02:30) into Cloudflare D1, at 03:00
 * Paris time. A oneshot container started by a timer. It reaches no other service: it needs only
 * the internet (the Cloudflare API) and the dump.
 */
export const sodiwinEtl: ServiceDefinition = () => ({
  name: "sodiwin-etl",
  description: "Sodiwin nightly ETL into D1",
  image: "ghcr.io/sodimo/etl:latest",
  floatingTagReason: "sodimo/etl publishes no version tags yet; pin it with services.sodiwin-etl.image once it does.",
  schedule: { onCalendar: "*-*-* 03:00:00 Europe/Paris", persistent: true },
  internet: "the Cloudflare API",
  env: { DUMPS_DIR: "/dumps" },
  secretEnv: {
    CLOUDFLARE_ACCOUNT_ID: provided("cloudflare-account-id"),
    D1_DATABASE_ID: provided("etl-d1-database-id"),
    CLOUDFLARE_API_TOKEN: provided("etl-d1-api-token"),
  },
  volumes: [
    // Not relabelled: a network filesystem carries no SELinux labels (mount it with
    // context="system_u:object_r:container_file_t:s0", or enable the virt_use_nfs boolean).
    { kind: "host", hostPath: "/mnt/sodiwin-dumps", mountPath: "/dumps", readOnly: true, selinux: "none" },
  ],
  restart: "no",
});
