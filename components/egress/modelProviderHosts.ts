/**
 * Where model providers serve their APIs: the hosts the egress proxy refuses to every agent runtime
 * (docs/egress.md). An agent reaches models only through LiteLLM, which it reaches directly on the
 * agents network; a request to any of these hosts through the proxy is refused and logged.
 *
 * A provider that owns its domain is refused as a whole domain (`.openai.com`: the API host moves
 * within it — regional hosts, new API generations); a provider on a shared cloud (Google, AWS, Azure,
 * Hugging Face) is refused by its API hosts only, so the rest of that cloud stays reachable.
 */

/** `name` is one host; `.name` is that host and every host under it (Squid's dstdomain notation). */
export type HostPattern = string;

export interface ModelProvider {
  provider: string;
  /** Host names, or `.domain` for a domain and everything under it. */
  hosts: readonly HostPattern[];
  /**
   * Host names no fixed list can name (regional endpoints), as regular expressions over the whole
   * lowercase host name, in the POSIX extended syntax Squid's `dstdom_regex` uses.
   */
  hostRegexes?: readonly string[];
}

export const MODEL_PROVIDERS: readonly ModelProvider[] = [
  { provider: "Anthropic", hosts: [".anthropic.com", ".claude.ai", ".claude.com"] },
  // chatgpt.com serves Codex's API when it is signed in with a ChatGPT account.
  { provider: "OpenAI", hosts: [".openai.com", ".chatgpt.com"] },
  {
    provider: "Google Gemini / Vertex AI",
    // cloudcode-pa is the Gemini CLI's endpoint when signed in with a Google account.
    hosts: ["generativelanguage.googleapis.com", "aiplatform.googleapis.com", "cloudcode-pa.googleapis.com", ".gemini.google.com"],
    hostRegexes: ["^[a-z0-9-]+-aiplatform\\.googleapis\\.com$"],
  },
  {
    provider: "AWS Bedrock",
    hosts: [],
    hostRegexes: ["^bedrock(-runtime|-agent|-agent-runtime)?(-fips)?\\.[a-z0-9-]+\\.amazonaws\\.com$"],
  },
  {
    provider: "Azure OpenAI / AI Foundry",
    hosts: [
      ".openai.azure.com",
      ".services.ai.azure.com",
      ".cognitiveservices.azure.com",
      ".inference.ai.azure.com",
      ".models.ai.azure.com",
    ],
  },
  { provider: "GitHub Models / Copilot", hosts: ["models.github.ai", ".githubcopilot.com"] },
  { provider: "OpenRouter", hosts: [".openrouter.ai"] },
  { provider: "Mistral", hosts: [".mistral.ai"] },
  { provider: "Groq", hosts: [".groq.com"] },
  { provider: "Together", hosts: [".together.xyz", ".together.ai"] },
  { provider: "DeepSeek", hosts: [".deepseek.com"] },
  { provider: "xAI", hosts: [".x.ai"] },
  { provider: "Cohere", hosts: [".cohere.com", ".cohere.ai"] },
  { provider: "Perplexity", hosts: [".perplexity.ai"] },
  { provider: "Fireworks", hosts: [".fireworks.ai"] },
  { provider: "Cerebras", hosts: [".cerebras.ai"] },
  { provider: "DeepInfra", hosts: [".deepinfra.com"] },
  { provider: "Replicate", hosts: [".replicate.com"] },
  { provider: "AI21", hosts: [".ai21.com"] },
  { provider: "SambaNova", hosts: [".sambanova.ai"] },
  { provider: "Moonshot", hosts: [".moonshot.ai", ".moonshot.cn"] },
  { provider: "Z.ai / Zhipu", hosts: [".z.ai", "open.bigmodel.cn"] },
  { provider: "Alibaba DashScope", hosts: ["dashscope.aliyuncs.com", "dashscope-intl.aliyuncs.com"] },
  { provider: "NVIDIA NIM", hosts: ["integrate.api.nvidia.com"] },
  { provider: "Hugging Face Inference", hosts: ["router.huggingface.co", "api-inference.huggingface.co", ".endpoints.huggingface.cloud"] },
  { provider: "Cloudflare AI Gateway", hosts: ["gateway.ai.cloudflare.com"] },
  { provider: "Vercel AI Gateway", hosts: ["ai-gateway.vercel.sh"] },
];

/**
 * What agents legitimately need and must keep reaching through the proxy (git hosts, package
 * registries), besides the MCP endpoint: none of them may be refused, which a test checks against
 * the shipped list. The homelab's `cilium` egress mode, which has no proxy, admits by name exactly
 * these (less those egressDenyHosts covers) and the operator's egressAllowHosts
 * (components/kubernetes/agentCiliumEgressPolicy.ts).
 */
export const AGENT_DEFAULT_HOSTS: readonly HostPattern[] = [
  "github.com",
  "api.github.com",
  "codeload.github.com",
  ".githubusercontent.com",
  "gitlab.com",
  "bitbucket.org",
  "registry.npmjs.org",
  "pypi.org",
  "files.pythonhosted.org",
  "crates.io",
  "static.crates.io",
  "index.crates.io",
  "proxy.golang.org",
  "sum.golang.org",
  "deb.debian.org",
  "security.debian.org",
];

/** `host` matches `pattern` the way Squid's dstdomain does (case-insensitive, `.d` = d and below). */
export function hostMatches(host: string, pattern: HostPattern): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  const wanted = pattern.toLowerCase();
  return wanted.startsWith(".") ? name === wanted.slice(1) || name.endsWith(wanted) : name === wanted;
}

/** The shipped provider whose hosts include `host`, if any. */
export function modelProviderOf(host: string): string | undefined {
  const name = host.toLowerCase();
  return MODEL_PROVIDERS.find(
    (p) => p.hosts.some((pattern) => hostMatches(name, pattern)) || (p.hostRegexes ?? []).some((regex) => new RegExp(regex).test(name)),
  )?.provider;
}

/** Whether host pattern `outer` admits every name `inner` admits (`.d` is `d` and every name under it). */
export function patternCovers(outer: HostPattern, inner: HostPattern): boolean {
  const wide = outer.toLowerCase();
  const narrow = inner.toLowerCase();
  if (wide === narrow) return true;
  if (!wide.startsWith(".")) return false;
  const bare = narrow.startsWith(".") ? narrow.slice(1) : narrow;
  return bare === wide.slice(1) || bare.endsWith(wide);
}

/** Whether two host patterns admit a name in common (domains are nested or apart, so one covers the other). */
function patternsOverlap(a: HostPattern, b: HostPattern): boolean {
  return patternCovers(a, b) || patternCovers(b, a);
}

/** The fixed domain every name a provider's regular expression matches ends in (`amazonaws.com`), if it ends in one. */
function regexDomain(regex: string): string | undefined {
  const suffix = /((?:\\\.[a-z0-9-]+)+)\$$/.exec(regex)?.[1];
  return suffix?.replace(/\\\./g, ".").slice(1);
}

/**
 * The shipped provider that some host `pattern` admits belongs to, if any: for a name, the provider
 * whose hosts include it (modelProviderOf); for a domain `.d`, a provider with a host in it or a
 * domain around it, or one whose regional names (hostRegexes) end in a domain that holds `d` or lies
 * in it — judged by that fixed domain alone, so `.s3.amazonaws.com` counts as reaching Bedrock
 * (`bedrock.s3.amazonaws.com` is a name Bedrock's expression matches) and `.storage.googleapis.com`
 * as reaching Vertex AI, though no endpoint of theirs may be there: a list that cannot refuse inside
 * a domain it allows must name such hosts one by one.
 */
export function modelProviderReachedBy(pattern: HostPattern): string | undefined {
  const wanted = pattern.toLowerCase();
  if (!wanted.startsWith(".")) return modelProviderOf(wanted);
  return MODEL_PROVIDERS.find(
    (p) =>
      p.hosts.some((host) => patternsOverlap(wanted, host)) ||
      (p.hostRegexes ?? []).some((regex) => {
        const domain = regexDomain(regex);
        return domain === undefined || patternsOverlap(wanted, `.${domain}`);
      }),
  )?.provider;
}
