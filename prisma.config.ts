import { defineConfig } from "prisma/config";

// The URL is only read by Prisma CLI commands that talk to a database (e.g. `prisma migrate
// deploy` on a machine with the native engine). The app itself picks its adapter at runtime.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/enclave" },
});
