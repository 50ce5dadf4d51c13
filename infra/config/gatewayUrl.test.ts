import { describe, expect, it } from "vitest";
import { gatewayUrlProblem } from "./gatewayUrl";

describe("gateway base URL", () => {
  it.each([
    "https://harness.tail1234ab.ts.net:8443",
    "http://harness.tail1234ab.ts.net:4000",
    "http://100.101.102.103:4000",
    "http://litellm.litellm.svc.cluster.local:4000",
    "http://litellm:4000",
    "http://192.168.55.10:4000",
    "https://gateway.example.com",
  ])("accepts %s", (url) => expect(gatewayUrlProblem(url)).toBeUndefined());

  it.each([
    ["https://api.anthropic.com", "is a model provider's API (anthropic.com)"],
    ["https://api.openai.com/v1", "is a model provider's API (openai.com)"],
    ["https://bedrock-runtime.eu-west-1.amazonaws.com", "is a model provider's API (bedrock-runtime.eu-west-1.amazonaws.com)"],
    ["https://acme.openai.azure.com", "is a model provider's API"],
    ["http://gateway.example.com:4000", "expected https, or http only inside a private network"],
    ["https://key:secret@gateway.example.com", "expected no credentials in the URL"],
    ["https://gateway.example.com/", "expected a base URL without query, fragment or trailing slash"],
    ["litellm:4000", "expected an http(s) URL"],
    ["not a url", "expected the model gateway's base URL"],
  ])("refuses %s", (url, problem) => expect(gatewayUrlProblem(url)).toContain(problem));

  it("leaves a load balancer on a cloud's shared domain alone", () => {
    expect(gatewayUrlProblem("https://litellm-123.elb.eu-west-1.amazonaws.com")).toBeUndefined();
  });
});
