/**
 * Stand-ins for provider outputs, so the program runs with no provider plugin and no cloud.
 * Deterministic (same stack, same inputs → same outputs), so plans can be diffed; every secret they
 * fabricate is remembered, so tests can prove none of them leaks into a plan, an artifact or a log.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { offlineRsaKey } from "./offlineRsaKey";

export interface OfflineMocks extends pulumi.runtime.Mocks {
  /** Every secret value the mocks produced (random bytes, tokens), in every encoding handed out. */
  readonly producedSecrets: readonly string[];
}

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

/** A UUID-shaped id derived from a seed, for providers whose ids are UUIDs. */
export function fakeUuid(seed: string): string {
  const hex = digest(seed).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A 32-hex-character id derived from a seed (Cloudflare's account, zone, queue and record ids). */
export function fakeHexId(seed: string): string {
  return digest(seed).toString("hex").slice(0, 32);
}

/** The connector token the offline provider hands out for a tunnel (remembered as a produced secret). */
export function offlineTunnelToken(stack: string, tunnelId: string): string {
  return digest(`${stack}/tunnel-token/${tunnelId}`).toString("base64");
}

export function createOfflineMocks(stack: string): OfflineMocks {
  const producedSecrets: string[] = [];
  const remember = (...values: string[]) => producedSecrets.push(...values);

  return {
    producedSecrets,
    newResource(args) {
      // The SDK types mock inputs as `any`; they are a plain property map.
      const inputs = args.inputs as Record<string, unknown>;
      const state: Record<string, unknown> = { ...inputs };
      let id = `${args.name}-id`;
      switch (args.type) {
        case "random:index/randomBytes:RandomBytes": {
          const length = Number(inputs.length ?? 32);
          // Keepers are part of the seed: rotating a secret changes its value, as the provider would.
          const bytes = digest(`${stack}/${args.name}/${JSON.stringify(inputs.keepers ?? {})}`).subarray(0, length);
          state.hex = bytes.toString("hex");
          state.base64 = bytes.toString("base64");
          remember(state.hex as string, state.base64 as string);
          id = `${args.name}-id`;
          break;
        }
        case "random:index/randomPassword:RandomPassword": {
          const result = digest(`${stack}/${args.name}/${JSON.stringify(inputs.keepers ?? {})}`)
            .toString("base64url")
            .slice(0, Number(inputs.length ?? 32));
          state.result = result;
          remember(result);
          break;
        }
        case "tls:index/privateKey:PrivateKey": {
          // A real key from a seed (offlineRsaKey.ts); only RSA is asked for (components/mail/DkimKey.ts).
          const key = offlineRsaKey(`${stack}/${args.name}`, Number(inputs.rsaBits ?? 2048));
          state.privateKeyPem = key.privateKeyPem;
          state.publicKeyPem = key.publicKeyPem;
          remember(key.privateKeyPem);
          break;
        }
        case "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared":
        case "cloudflare:index/d1Database:D1Database":
          id = fakeUuid(`${stack}/${args.type}/${args.name}`);
          state.uuid = id;
          break;
        case "cloudflare:index/queue:Queue":
          // Queue ids are 32 hex characters (the drain checks CF_QUEUE_ID for exactly that).
          id = fakeHexId(`${stack}/${args.type}/${args.name}`);
          state.queueId = id;
          break;
        case "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication":
          id = fakeUuid(`${stack}/${args.type}/${args.name}`);
          // The application's audience tag: 64 hex characters.
          state.aud = digest(`${stack}/aud/${args.name}`).toString("hex");
          break;
        case "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken": {
          id = fakeUuid(`${stack}/${args.type}/${args.name}`);
          // Access's shapes: a client id of 32 hex + ".access", a secret of 64 hex.
          state.clientId = `${fakeHexId(`${stack}/client-id/${args.name}`)}.access`;
          state.clientSecret = digest(`${stack}/client-secret/${args.name}/${JSON.stringify(inputs.clientSecretVersion ?? 1)}`).toString(
            "hex",
          );
          remember(state.clientSecret as string);
          break;
        }
        case "cloudflare:index/apiToken:ApiToken": {
          id = fakeHexId(`${stack}/${args.type}/${args.name}`);
          // A token value (40 characters) and what R2 makes of it: the SHA-256 is the S3 secret key.
          state.value = digest(`${stack}/api-token/${args.name}`).toString("base64url").slice(0, 40);
          remember(
            state.value as string,
            createHash("sha256")
              .update(state.value as string)
              .digest("hex"),
          );
          break;
        }
        case "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy":
        case "cloudflare:index/queueConsumer:QueueConsumer":
          id = fakeUuid(`${stack}/${args.type}/${args.name}`);
          break;
        case "cloudflare:index/dnsRecord:DnsRecord":
          id = fakeHexId(`${stack}/${args.type}/${args.name}`);
          break;
        default:
          if (args.type.startsWith("kubernetes:")) {
            const metadata = (inputs.metadata ?? {}) as Record<string, unknown>;
            // Mocks run no provider logic: give objects the name auto-naming would have.
            state.metadata = { ...metadata, name: metadata.name ?? `${args.name}-${digest(args.name).toString("hex").slice(0, 8)}` };
          }
          if (args.type.startsWith("command:")) {
            state.stdout = "";
            state.stderr = "";
          }
      }
      return { id, state };
    },
    call(args) {
      const inputs = args.inputs as Record<string, unknown>;
      if (args.token === "cloudflare:index/getZeroTrustTunnelCloudflaredToken:getZeroTrustTunnelCloudflaredToken") {
        const token = offlineTunnelToken(stack, String(inputs.tunnelId));
        remember(token);
        return { ...inputs, token };
      }
      return inputs;
    },
  };
}
