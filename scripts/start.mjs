#!/usr/bin/env node
// `npm start`: build when there is no current build, then serve. Migrations and the first-run
// seed happen inside the server process (instrumentation.ts), which owns the embedded database.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = process.cwd();
const nextBin = join(root, "node_modules", "next", "dist", "bin", "next");
const stampFile = join(root, ".next", "enclave-build-stamp");
const SOURCES = ["app", "components", "lib", "public", "prisma/schema.prisma", "instrumentation.ts", "next.config.js", "postcss.config.mjs", "tsconfig.json", "package-lock.json"];
const SKIP = new Set(["node_modules", ".next", "generated", ".data"]);

if (!existsSync(nextBin)) {
  console.error("Dependencies are missing: run `npm ci` first.");
  process.exit(1);
}

// A fingerprint of everything that goes into the build (paths, sizes, mtimes).
function fingerprint() {
  const h = createHash("sha256");
  const walk = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) if (!SKIP.has(name)) walk(join(p, name));
    } else {
      h.update(`${relative(root, p)}:${st.size}:${st.mtimeMs}\n`);
    }
  };
  SOURCES.forEach((s) => walk(join(root, s)));
  return h.digest("hex");
}

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
const current = fingerprint();
const built = existsSync(join(root, ".next", "BUILD_ID")) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === current;
if (!built) {
  console.log("Building Enclave (first start or sources changed)…");
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit", env });
  if (r.status !== 0) process.exit(r.status ?? 1);
  writeFileSync(stampFile, current);
  console.log(`Built in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
}

const port = process.env.PORT ?? "3000";
const server = spawn(process.execPath, [nextBin, "start", "-p", port], { stdio: "inherit", env });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.kill(sig));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
