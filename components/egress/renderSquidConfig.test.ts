import { describe, expect, it } from "vitest";
import { egressProxyConfig } from "../../infra/catalog/egress-proxy";
import { MCP_SUBDOMAIN } from "../../infra/catalog/mcpEndpoint";
import { AGENT_DEFAULT_HOSTS, hostMatches, MODEL_PROVIDERS, modelProviderOf, modelProviderReachedBy } from "./modelProviderHosts";
import { normalizeHostPatterns, renderSquidConfig } from "./renderSquidConfig";
import { renderSquidContainerfile, squidStartScript } from "./squidImage";

const base = { port: 3128, logPath: "/tmp/squid-log.fifo", providerHosts: [], providerHostRegexes: [], allowHosts: [], denyHosts: [] };

describe("the egress proxy's configuration", () => {
  it("renders the shipped list (snapshot)", () => {
    expect(egressProxyConfig({})).toMatchSnapshot();
  });

  it("ships every provider the harness promises to refuse", () => {
    for (const host of [
      "api.anthropic.com",
      "api.openai.com",
      "generativelanguage.googleapis.com",
      "europe-west4-aiplatform.googleapis.com",
      "bedrock-runtime.us-east-1.amazonaws.com",
      "bedrock-runtime-fips.us-gov-west-1.amazonaws.com",
      "acme.openai.azure.com",
      "openrouter.ai",
      "api.mistral.ai",
      "api.groq.com",
      "api.together.xyz",
      "api.deepseek.com",
      "api.x.ai",
      "api.cohere.com",
    ]) {
      expect(modelProviderOf(host), host).toBeDefined();
    }
  });

  it("refuses none of what agents need: git hosts, package registries, the MCP endpoint, the rest of the clouds", () => {
    for (const host of [
      ...AGENT_DEFAULT_HOSTS.map((h) => (h.startsWith(".") ? `raw${h}` : h)),
      `${MCP_SUBDOMAIN}.sodimo.eu`,
      "storage.googleapis.com",
      "s3.eu-west-3.amazonaws.com",
      "huggingface.co",
    ]) {
      expect(modelProviderOf(host), host).toBeUndefined();
    }
  });

  it("says which provider a host pattern admits names of: a name exactly, a domain by what it holds or lies in", () => {
    expect(modelProviderReachedBy("api.anthropic.com")).toBe("Anthropic");
    expect(modelProviderReachedBy(".com")).toBe("Anthropic");
    expect(modelProviderReachedBy(".api.openai.com")).toBe("OpenAI");
    expect(modelProviderReachedBy(".googleapis.com")).toBe("Google Gemini / Vertex AI");
    // Regional names are judged by the fixed domain of their expression: any domain in or around it.
    expect(modelProviderReachedBy(".amazonaws.com")).toBe("AWS Bedrock");
    expect(modelProviderReachedBy(".s3.amazonaws.com")).toBe("AWS Bedrock");
    expect(modelProviderReachedBy("s3.amazonaws.com")).toBeUndefined();
    expect(modelProviderReachedBy("storage.googleapis.com")).toBeUndefined();
    // The hub is not the inference API, but its domain holds it.
    expect(modelProviderReachedBy(".huggingface.co")).toBe("Hugging Face Inference");
    for (const pattern of [...AGENT_DEFAULT_HOSTS, "huggingface.co", ".example.com"])
      expect(modelProviderReachedBy(pattern), pattern).toBeUndefined();
    // Every regional expression ends in a fixed domain, or every domain would count as reaching it.
    for (const regex of MODEL_PROVIDERS.flatMap((p) => p.hostRegexes ?? [])) expect(regex, regex).toMatch(/(\\\.[a-z0-9-]+)+\$$/);
  });

  it("matches hosts the way Squid's dstdomain does", () => {
    expect(hostMatches("api.openai.com", ".openai.com")).toBe(true);
    expect(hostMatches("openai.com", ".openai.com")).toBe(true);
    expect(hostMatches("notopenai.com", ".openai.com")).toBe(false);
    expect(hostMatches("API.OpenAI.com.", ".openai.com")).toBe(true);
    expect(hostMatches("x.models.github.ai", "models.github.ai")).toBe(false);
  });

  it("keeps the widest entry once (Squid refuses a host under a listed domain)", () => {
    expect(normalizeHostPatterns(["a.x.ai", ".x.ai", "x.ai", ".X.ai", "b.example"], "test")).toEqual([".x.ai", "b.example"]);
    const rendered = renderSquidConfig({ ...base, denyHosts: ["a.paste.example", ".paste.example"] });
    expect(rendered.match(/^acl operator_deny .*$/gm)).toEqual(["acl operator_deny dstdomain .paste.example"]);
  });

  it("puts the allow-list before the refusals, and leaves out the lists that are empty", () => {
    const rendered = renderSquidConfig({ ...base, providerHosts: [".openai.com"], allowHosts: ["platform.openai.com"] });
    const rules = rendered.split("\n").filter((line) => line.startsWith("http_access"));
    expect(rules).toEqual([
      "http_access deny !Safe_ports",
      "http_access deny CONNECT !SSL_ports",
      "http_access deny ip_literal",
      "http_access allow container_networks operator_allow",
      "http_access deny model_providers",
      "http_access deny private_destination",
      "http_access allow container_networks",
      "http_access deny all",
    ]);
  });

  it("refuses what it cannot render safely", () => {
    expect(() => renderSquidConfig({ ...base, denyHosts: ["evil.example\nhttp_access allow all"] })).toThrow(/invalid host/);
    expect(() => renderSquidConfig({ ...base, providerHostRegexes: ["a b"] })).toThrow(/invalid host regex/);
    expect(() => renderSquidConfig({ ...base, providerHostRegexes: ["(unclosed"] })).toThrow();
    expect(() => renderSquidConfig({ ...base, logPath: "/run/log; rm -rf /" })).toThrow(/invalid log path/);
    expect(() => squidStartScript("/etc/squid/squid.conf", "/tmp/$(x)")).toThrow(/invalid path/);
  });

  it("has a provider entry for every list it ships, each host valid", () => {
    for (const provider of MODEL_PROVIDERS) {
      expect(provider.hosts.length + (provider.hostRegexes?.length ?? 0), provider.provider).toBeGreaterThan(0);
      expect(() => normalizeHostPatterns(provider.hosts, provider.provider)).not.toThrow();
    }
  });

  it("builds Debian's Squid on the pinned Debian base", () => {
    expect(renderSquidContainerfile("docker.io/library/debian:12.11-slim")).toMatchSnapshot();
  });
});
