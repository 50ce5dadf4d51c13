// ESLint for the whole repository: typescript-eslint's type-aware recommended rules, Pulumi's rules
// against an Output interpolated where a plain string is needed, and a stale `eslint-disable` is an error.
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/", ".out/", ".tools/", "**/dist/", ".wrangler/", "**/*.js", "**/*.cjs"] },
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  js.configs.recommended,
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      // `_`-prefixed names are deliberate placeholders (a callback's unused first argument).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // Tests assert on untyped JSON (recorded plans, manifests, wire-format inputs): `any` there is the
    // honest type, so the unsafe-any family is off for test code only; production code keeps it.
    files: ["**/*.test.ts", "test/support/**", "**/testSupport/**", "policy/testing/**"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      // Fakes implement async interfaces without awaiting anything.
      "@typescript-eslint/require-await": "off",
    },
  },
  { files: ["**/*.mjs", "**/*.mts"], extends: [tseslint.configs.recommended] },
);
