/**
 * The model gateway's base URL, as every target but fedora configures it (fedora runs its own
 * LiteLLM). One rule for all: it must not be a provider's API (Principle 3: agents reach models only
 * through the gateway), and the gateway key it carries may travel in clear text only inside a private
 * network — a tailnet, a Kubernetes cluster, or a private address range.
 */
import { z } from "zod";

/** Hosts of model providers' APIs: a base URL here would hand agents a direct road to a model. */
const PROVIDER_DOMAINS = [
  "anthropic.com",
  "openai.com",
  "googleapis.com",
  "openrouter.ai",
  "mistral.ai",
  "groq.com",
  "x.ai",
  "deepseek.com",
  "cohere.com",
  "together.xyz",
  "fireworks.ai",
];
/** Providers served from clouds' shared domains, where only some hosts are model APIs. */
const PROVIDER_HOSTS = [/^bedrock(-runtime)?[.-].*\.amazonaws\.com$/, /\.openai\.azure\.com$/, /^aiplatform\.googleapis\.com$/];

function ipv4Octets(hostname: string): number[] | undefined {
  const octets = hostname.split(".").map(Number);
  return octets.length === 4 && octets.every((o) => Number.isInteger(o) && o >= 0 && o <= 255) ? octets : undefined;
}

/** Where clear-text HTTP stays off the internet: tailnet, cluster-internal names, private addresses. */
export function isPrivateNetworkHost(hostname: string): boolean {
  if (hostname.endsWith(".ts.net")) return true;
  if (!hostname.includes(".") || hostname.endsWith(".svc") || hostname.endsWith(".cluster.local")) return true;
  const octets = ipv4Octets(hostname);
  if (!octets) return false;
  const [a, b] = octets as [number, number, number, number];
  return (
    (a === 100 && b >= 64 && b <= 127) || // Tailscale (CGNAT 100.64.0.0/10)
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    a === 127
  );
}

/** What is wrong with a gateway base URL, or undefined. */
export function gatewayUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'expected the model gateway\'s base URL, such as "https://gateway.tail1234ab.ts.net" or "http://litellm.litellm.svc.cluster.local:4000"';
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return 'expected an http(s) URL, such as "https://gateway.tail1234ab.ts.net" or "http://litellm.litellm.svc.cluster.local:4000"';
  }
  if (url.username || url.password) return "expected no credentials in the URL (the gateway key is a secret of its own)";
  if (url.search || url.hash || value.endsWith("/")) return "expected a base URL without query, fragment or trailing slash";
  const host = url.hostname;
  const provider =
    PROVIDER_DOMAINS.find((domain) => host === domain || host.endsWith(`.${domain}`)) ??
    (PROVIDER_HOSTS.some((pattern) => pattern.test(host)) ? host : undefined);
  if (provider) {
    return `is a model provider's API (${provider}), not the gateway: agents reach models only through the harness's LiteLLM (Principle 3)`;
  }
  if (url.protocol === "http:" && !isPrivateNetworkHost(host)) {
    return "expected https, or http only inside a private network (a *.ts.net or 100.64.0.0/10 tailnet address, a cluster-local Service name, or a private IPv4 address): the gateway key must not cross the internet in clear text";
  }
  return undefined;
}

export const gatewayBaseUrl = z.string().superRefine((value, context) => {
  const problem = gatewayUrlProblem(value);
  if (problem) context.addIssue({ code: "custom", message: problem, input: value });
});
