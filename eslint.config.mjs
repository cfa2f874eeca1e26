import next from "eslint-config-next";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...next,
  ...nextTs,
  {
    ignores: [".next/**", ".next-*/**", "node_modules/**", "lib/db/generated/**", ".data/**", ".tmp/**", "test-results/**", "playwright-report/**", "next-env.d.ts"],
  },
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Isolation is structural: only lib/db may reach the Prisma client (see ARCHITECTURE.md).
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@prisma/client", "@prisma/client/*"], message: "Only lib/db may import the Prisma client." },
            { group: ["**/db/generated", "**/db/generated/*", "@/lib/db/generated/*"], message: "Only lib/db may import the Prisma client." },
          ],
        },
      ],
    },
  },
  {
    files: ["lib/db/**"],
    rules: { "no-restricted-imports": "off" },
  },
];

export default config;
