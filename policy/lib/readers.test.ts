/** The small parsers the readers rely on: each shape the targets write, and the traps around it. */
import { describe, expect, test } from "vitest";
import { hereDocuments, parseFlyMemory } from "./fly";
import { imageRepository, isFloatingTag, parseImage } from "./images";
import { helmImages, parseQuantity } from "./kubernetes";
import { fromImages, parseByteSize } from "./quadlet";
import { isPlaceholder, isReference, isSecretLikeName, secretAtoms, urlPassword } from "./secrets";
import { environmentAssignments, parsePublishPort, parseSecretReference, parseUnitFile, splitWords, values } from "./unitFile";
import { hostMentions, hostOfUrl, isServiceHost } from "./urls";

describe("unit files", () => {
  test("sections with repeated keys, comments and continuation lines", () => {
    const unit = parseUnitFile("# c\n[Container]\nImage=a:1\nEnvironment=A=1 \\\n  B=2\n; c\nEnvironment=C=3\n[Service]\nRestart=always\n");
    expect(values(unit, "Container", "Environment")).toEqual(["A=1  B=2", "C=3"]);
    expect(values(unit, "Service", "Restart")).toEqual(["always"]);
  });

  test("Environment= words: quotes, escapes, and the renderer's %% and $$", () => {
    expect(environmentAssignments('"A=b c" D=$$HOME%%x "E=say \\"hi\\""', true)).toEqual([
      { name: "A", value: "b c" },
      { name: "D", value: "$HOME%x" },
      { name: "E", value: 'say "hi"' },
    ]);
    expect(splitWords(`a 'b c' "d\\"e"`)).toEqual(["a", "b c", 'd"e']);
  });

  test("PublishPort= forms", () => {
    expect(parsePublishPort("127.0.0.1:80:80")).toEqual({ hostIp: "127.0.0.1", hostPort: 80, containerPort: 80, protocol: "tcp" });
    expect(parsePublishPort("[::1]:53:53/udp")).toEqual({ hostIp: "::1", hostPort: 53, containerPort: 53, protocol: "udp" });
    expect(parsePublishPort("8080:80")).toEqual({ hostPort: 8080, containerPort: 80, protocol: "tcp" });
    expect(parsePublishPort("3100")).toEqual({ containerPort: 3100, protocol: "tcp" });
    expect(parsePublishPort("127.0.0.1::80")).toEqual({ hostIp: "127.0.0.1", containerPort: 80, protocol: "tcp" });
  });

  test("Secret= defaults: type mount; an env target defaults to the name", () => {
    expect(parseSecretReference("k")).toEqual({ name: "k", type: "mount", target: "/run/secrets/k" });
    expect(parseSecretReference("k,type=env")).toEqual({ name: "k", type: "env", target: "k" });
    expect(parseSecretReference("k,type=env,target=API_KEY")).toEqual({ name: "k", type: "env", target: "API_KEY" });
  });

  test("FROM lines, without build stages", () => {
    expect(
      fromImages("FROM docker.io/library/node:22 AS build\nFROM build\nFROM --platform=linux/amd64 ghcr.io/a/b:1\nFROM scratch\n"),
    ).toEqual(["docker.io/library/node:22", "ghcr.io/a/b:1"]);
  });
});

describe("images", () => {
  test("registry, path, tag and digest", () => {
    expect(parseImage("ghcr.io/paperclipai/paperclip:sha-d554c47")).toMatchObject({
      registry: "ghcr.io",
      path: "paperclipai/paperclip",
      tag: "sha-d554c47",
    });
    expect(parseImage("localhost:5000/app@sha256:" + "a".repeat(64))).toMatchObject({
      registry: "localhost:5000",
      path: "app",
      digest: "sha256:" + "a".repeat(64),
    });
    expect(parseImage("caddy:2-alpine")).toEqual({ text: "caddy:2-alpine", path: "caddy", tag: "2-alpine" });
    expect(parseImage("library/redis")?.registry).toBeUndefined();
    expect(parseImage("Not An Image")).toBeUndefined();
    expect(imageRepository("quay.io/cockpit/ws:latest")).toBe("quay.io/cockpit/ws");
  });

  test("a tag floats when it carries no version", () => {
    for (const tag of ["latest", "main", "main-stable", "stable", "edge", "nightly", "vulkan", "lts-slim"])
      expect(isFloatingTag(tag, [])).toBe(true);
    for (const tag of ["v1.108.5", "2-alpine", "sha-d554c47", "16", "v170-vulkan-b6123"]) expect(isFloatingTag(tag, [])).toBe(false);
    expect(isFloatingTag("v1-stable", ["v1-stable"])).toBe(true);
  });
});

describe("hosts", () => {
  test("service names: container DNS, Kubernetes Services, Fly private names; never a public lookalike", () => {
    for (const host of ["litellm", "litellm.ai.svc", "litellm.ai.svc.cluster.local", "litellm.internal", "litellm.flycast"])
      expect(isServiceHost(host, ["litellm"])).toBe(true);
    for (const host of ["litellm.ai", "litellm.example.com", "notlitellm", "api.openai.com"])
      expect(isServiceHost(host, ["litellm"])).toBe(false);
  });

  test("URL hosts and mentions in free text", () => {
    expect(hostOfUrl("litellm:4000")).toBe("litellm");
    expect(hostOfUrl("https://[::1]:8443/x")).toBe("::1");
    expect(hostMentions("reverse_proxy llama-swap:8080\napi_base: http://llama-swap/v1 and plain words").map((m) => m.host)).toEqual([
      "llama-swap",
      "llama-swap",
    ]);
  });
});

describe("secrets", () => {
  test("secret-like names", () => {
    for (const name of [
      "BETTER_AUTH_SECRET",
      "REDIS_PASSWORD",
      "OPENAI_API_KEY",
      "PAPERCLIP_SECRETS_MASTER_KEY",
      "GITHUB_TOKEN",
      "MAILER_DSN",
      "LITELLM_SALT_KEY",
    ])
      expect(isSecretLikeName(name), name).toBe(true);
    for (const name of [
      "PAPERCLIP_SECRETS_PROVIDER",
      "REDIS_PASSWORD_FILE",
      "SORT_KEY",
      "STORE_MODEL_IN_DB",
      "DO_NOT_TRACK",
      "WEBUI_SECRET_KEY_NAME",
    ])
      expect(isSecretLikeName(name), name).toBe(false);
  });

  test("placeholders, references and URL passwords", () => {
    for (const value of ["", "CHANGEME", "change-me-please", "<your key>", "${SECRET}", "xxx", "TODO", "sk-...", "your-api-key"])
      expect(isPlaceholder(value), value).toBe(true);
    for (const value of ["offline-secret(paperclip-harness:anthropicApiKey)", "9f0c2b7e4a1d8c3f", "sk-ant-api03-abc123"])
      expect(isPlaceholder(value), value).toBe(false);
    expect(isReference("$(DB_PASSWORD)")).toBe(true);
    expect(isReference("os.environ/LITELLM_MASTER_KEY")).toBe(true);
    expect(urlPassword("postgres://u:pw123456@db/x")).toBe("pw123456");
    expect(urlPassword("postgres://u:$(PW)@db/x")).toBeUndefined();
    expect(urlPassword("postgres://db/x")).toBeUndefined();
  });

  test("atoms: random runs, not structure", () => {
    expect(secretAtoms("postgres://paperclip:7c1e4b9a2f5d8c3e6b1a@paperclip-db:5432/paperclip")).toEqual(["7c1e4b9a2f5d8c3e6b1a"]);
    expect(secretAtoms('{"connectionString": "x", "allowedHostnames": []}')).toEqual([]);
  });
});

describe("sizes", () => {
  test("Kubernetes quantities, Podman sizes, Fly memory", () => {
    expect(parseQuantity("512Mi")).toBe(512 * 1024 ** 2);
    expect(parseQuantity("1G")).toBe(1e9);
    expect(parseQuantity("2Gi")).toBe(2 * 1024 ** 3);
    expect(parseByteSize("768m")).toBe(768 * 1024 ** 2);
    expect(parseByteSize("1g")).toBe(1024 ** 3);
    expect(parseFlyMemory("1gb")).toBe(1024 ** 3);
    expect(parseFlyMemory(1024)).toBe(1024 ** 3);
    expect(parseFlyMemory("512mb")).toBe(512 * 1024 ** 2);
  });
});

describe("fly and helm", () => {
  test("here-documents in a script", () => {
    expect(hereDocuments("cat > a <<'EOF'\nline 1\nline 2\nEOF\necho done\ncat <<X\nx\nX\n")).toEqual(["line 1\nline 2", "x"]);
  });

  test("images in Helm values", () => {
    expect(
      helmImages({
        image: { registry: "docker.io", repository: "bitnamilegacy/postgresql", tag: "16.4.0" },
        metrics: { image: { repository: "x/y", digest: "sha256:ab" } },
      }),
    ).toEqual([
      { image: "docker.io/bitnamilegacy/postgresql:16.4.0", path: "values.image" },
      { image: "x/y@sha256:ab", path: "values.metrics.image" },
    ]);
  });
});
