#!/usr/bin/env node
// `npm start`: build when there is no current build, then serve. Migrations and the first-run
// seed happen inside the server process (instrumentation.ts), which owns the embedded database.
import { spawn, spawnSync } from "node:child_process";
import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { forwardIpv6Loopback, listenPlan } from "./listen.mjs";

const root = process.cwd();
const nextBin = join(root, "node_modules", "next", "dist", "bin", "next");
const stampFile = join(root, ".next", "enclave-build-stamp");
const SOURCES = ["app", "components", "lib", "public", "prisma/schema.prisma", "instrumentation.ts", "next.config.js", "postcss.config.mjs", "tsconfig.json", "package-lock.json"];
const SKIP = new Set(["node_modules", ".next", "generated", ".data"]);

if (!existsSync(nextBin)) {
  console.error("Dependencies are missing: run `npm ci` first.");
  process.exit(1);
}

// `npm start` runs this on the project's pinned Node 24 (the `node` package). Started by hand with
// an older system Node, hand over to the pinned one rather than run on an unsupported runtime.
const pinnedNode = join(root, "node_modules", "node", "bin", "node");
if (Number(process.versions.node.split(".")[0]) < 24) {
  if (!existsSync(pinnedNode)) {
    console.error(`Enclave needs Node.js 24 (this is ${process.version}); run \`npm ci\` to install the project's own Node.`);
    process.exit(1);
  }
  const r = spawnSync(pinnedNode, process.argv.slice(1), { stdio: "inherit" });
  process.exit(r.status ?? 1);
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
// While dev sign-in is on: loopback only, unless HOST is set (scripts/listen.mjs).
const listen = listenPlan(process.env, port);
const startArgs = ["start", "-p", port, ...(listen.host ? ["-H", listen.host] : [])];
if (listen.line) console.log(listen.line);
if (listen.loopback) forwardIpv6Loopback(port);

// One Node process uses one core. On PostgreSQL, run one server per core (WEB_CONCURRENCY,
// default: the cores available) sharing the port through node:cluster; instances are stateless.
// The embedded database belongs to a single process, so embedded mode always runs one.
const embedded = !process.env.DATABASE_URL;
const requested = Number(process.env.WEB_CONCURRENCY ?? availableParallelism());
const workers = embedded ? 1 : Math.max(1, Math.min(Number.isFinite(requested) ? requested : 1, 32));

if (workers === 1) {
  const server = spawn(process.execPath, [nextBin, ...startArgs], { stdio: "inherit", env });
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.kill(sig));
  server.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
} else {
  console.log(`Starting ${workers} Enclave workers on port ${port} (WEB_CONCURRENCY).`);
  cluster.setupPrimary({ exec: nextBin, args: startArgs, silent: false });
  let stopping = false;
  const fork = () => cluster.fork(env);
  for (let i = 0; i < workers; i++) fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    console.error(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    setTimeout(fork, 1000);
  });
  for (const sig of ["SIGINT", "SIGTERM"]) {
    process.on(sig, () => {
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(sig);
    });
  }
}
