import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));
const exclude = ["node_modules/**", ".next/**", ".next-*/**", ".data/**", ".tmp/**", "**/*.spec.ts"];
// next-auth imports "next/server" without an extension, which Node's ESM loader cannot resolve;
// letting Vite process it resolves the import the way Next's bundler does.
// A fixed master key for the suite (lib/privacy/encryption): tests open one another's databases
// and start processes on them, so none may generate its own into a data directory.
const testEnv = { ENCLAVE_MASTER_KEY: "mBlkmXb6i3VGixXKzAC25SPPXJxXpOvs2inAVKhlAsE=" };
const shared = { resolve: { alias: { "@": root } }, test: { server: { deps: { inline: ["next-auth"] } } } };

// Integration tests (*.db.test.ts) run twice: once on embedded PGlite and once on PostgreSQL;
// *.pg.test.ts cover what only PostgreSQL has (several instances on one database).
export default defineConfig({
  ...shared,
  test: {
    projects: [
      {
        ...shared,
        test: {
          ...shared.test,
          name: "unit",
          include: ["**/*.test.ts", "**/*.test.tsx"],
          exclude: [...exclude, "**/*.db.test.ts", "**/*.pg.test.ts"],
          environment: "node",
          env: testEnv,
        },
      },
      {
        ...shared,
        test: {
          ...shared.test,
          name: "pglite",
          include: ["**/*.db.test.ts"],
          exclude,
          env: { ...testEnv, ENCLAVE_TEST_DB: "pglite" },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        ...shared,
        test: {
          ...shared.test,
          name: "postgres",
          include: ["**/*.db.test.ts", "**/*.pg.test.ts"],
          exclude,
          env: { ...testEnv, ENCLAVE_TEST_DB: "postgres" },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
