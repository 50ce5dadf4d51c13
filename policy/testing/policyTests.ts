/**
 * The pack's test conventions (after pulumi/compliance-policies): per policy, fixed metadata tests
 * (name, description, enforcement level, remediation, config schema), then a compliant baseline per
 * target it judges and one mutation per way to violate it, each asserting the exact policy name,
 * enforcement level and resource. Policies run through @pulumi/policy's own analyzer handlers
 * (runAnalyzer.ts), so properties reach them in the SDK's unknown-checking proxy as in the CLI.
 */
import { expect, test } from "vitest";
import type { Policy, StackValidationPolicy } from "@pulumi/policy";
import { schemaDefaults } from "../lib/config";
import { analyzeStack, type AnalyzerResource, type Diagnostic } from "../runAnalyzer";
import { validateJsonSchema } from "../lib/jsonSchema";

export async function run(
  policy: StackValidationPolicy,
  resources: readonly AnalyzerResource[],
  config?: Record<string, unknown>,
): Promise<Diagnostic[]> {
  return analyzeStack([policy], resources, config ? { config: { [policy.name]: config } } : {});
}

/** Exactly these violations (policy name, level, resource name, message pattern), in any order. */
export function expectViolations(
  diagnostics: readonly Diagnostic[],
  policy: Policy,
  expected: readonly { resource: string; message: RegExp; level?: Diagnostic["level"] }[],
): void {
  const actual = diagnostics.map((d) => ({ policy: d.policy, level: d.level, resource: d.urn?.split("::").at(-1), message: d.message }));
  expect(actual, JSON.stringify(actual, null, 2)).toHaveLength(expected.length);
  for (const e of expected) {
    expect(actual, `expected a ${policy.name} violation on ${e.resource} matching ${e.message}`).toContainEqual({
      policy: policy.name,
      level: e.level ?? policy.enforcementLevel ?? "mandatory",
      resource: e.resource,
      message: expect.stringMatching(e.message),
    });
  }
}

export function expectNoViolations(diagnostics: readonly Diagnostic[]): void {
  expect(diagnostics.map((d) => `${d.policy} [${d.level}] ${d.urn ?? ""}: ${d.message}`)).toEqual([]);
}

/** The fixed metadata tests every policy has. */
export function metadataTests(policy: StackValidationPolicy, expected: { name: string; enforcementLevel: "mandatory" | "advisory" }): void {
  test("name", () => {
    expect(policy.name).toBe(expected.name);
    expect(policy.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
    expect(policy.name.length).toBeLessThanOrEqual(64);
  });

  test("description", () => {
    expect(policy.description).toMatch(/^[A-Z][^\n]{30,}\.$/);
  });

  test("enforcementLevel", () => {
    expect(policy.enforcementLevel).toBe(expected.enforcementLevel);
  });

  test("remediation", () => {
    expect(policy.remediationSteps).toMatch(/^[A-Z][\s\S]{30,}\.$/);
  });

  test("config schema: every setting has a default that the schema accepts", () => {
    const properties = policy.configSchema?.properties ?? {};
    expect(Object.keys(properties)).not.toContain("enforcementLevel");
    for (const [name, property] of Object.entries(properties)) {
      expect(property.default, `${name} has no default`).toBeDefined();
      expect(validateJsonSchema(property.default, property), `${name}'s default`).toEqual([]);
    }
    expect(Object.keys(schemaDefaults(policy.configSchema))).toEqual(Object.keys(properties));
  });
}
