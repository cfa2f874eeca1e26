#!/usr/bin/env node
// `prisma generate` insists on locating a native schema-engine binary even though generating
// the client never runs it, and the binary cannot be downloaded on machines without internet.
// Point it at a harmless stub so generation works offline (see shared/STACK.md).
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync, chmodSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const dir = join(tmpdir(), "enclave-prisma-stub");
  const stub = join(dir, "schema-engine");
  if (!existsSync(stub)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(stub, "#!/bin/sh\necho 'schema engine stub: not available offline' >&2\nexit 1\n");
    chmodSync(stub, 0o755);
  }
  env.PRISMA_SCHEMA_ENGINE_BINARY = stub;
}
const prismaBin = join(process.cwd(), "node_modules", "prisma", "build", "index.js");
const res = spawnSync(process.execPath, [prismaBin, "generate"], { stdio: "inherit", env });
process.exit(res.status ?? 1);
