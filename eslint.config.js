// `npm run lint`: typescript-eslint's recommended rules over the TypeScript
// tree. Formatting is prettier's (.prettierrc.json), not the linter's; the
// layer ladder is checked by test/unit/layers.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // images/ is the image recipe, outside every tsconfig program too: it is checked when the images are rebuilt.
  { ignores: ["dist/", "node_modules/", "images/", "public/", "test-results/", "test/fixtures/", "scratch/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      // `any` only with a comment that says why (an eslint-disable line with a reason).
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      eqeqeq: ["error", "always"],
      // Callbacks wired before the value they reach exists (the page's main.ts) read it before its one assignment.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      // Binary formats, NUL-separated tables and quoted file names match control characters on purpose.
      "no-control-regex": "off",
      // TypeScript's own checks cover these for .ts files.
      "no-undef": "off",
    },
  },
  {
    files: ["**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
);
