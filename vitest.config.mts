import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    // **/node_modules: the policy pack's own dependencies (policy/node_modules, installed by the Pulumi CLI) too.
    exclude: ["**/node_modules/**", ".out/**", ".tools/**", "**/dist/**"],
    // Pulumi's runtime state is process-global: one test file per worker, files isolated.
    pool: "forks",
    isolate: true,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
