#!/usr/bin/env node
// bench:chat's stand-in for scripts/start.mjs when that script would rebuild first (its build
// stamp is missing or stale, e.g. after a plain `next build`, or in a checkout built elsewhere).
// It serves the existing build of the current directory exactly the way start.mjs does, with no
// build check: WEB_CONCURRENCY=1 spawns one `next start` child; more forks that many `next start`
// workers through node:cluster sharing PORT (round-robin, Node's default on Linux).
import { spawn } from "node:child_process";
import cluster from "node:cluster";
import { join } from "node:path";

const nextBin = join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
const port = process.env.PORT ?? "3000";
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
const requested = Number(process.env.WEB_CONCURRENCY ?? 1);
const workers = Math.max(1, Math.min(Number.isFinite(requested) ? requested : 1, 32));

if (workers === 1) {
  const server = spawn(process.execPath, [nextBin, "start", "-p", port], { stdio: "inherit", env });
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.kill(sig));
  server.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
} else {
  cluster.setupPrimary({ exec: nextBin, args: ["start", "-p", port], silent: false });
  let stopping = false;
  for (let i = 0; i < workers; i++) cluster.fork(env);
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    // A benchmark must not hide a crash behind a restart: report it and stop.
    console.error(`worker ${worker.process.pid} exited (${signal ?? code}); stopping`);
    process.exit(1);
  });
  for (const sig of ["SIGINT", "SIGTERM"]) {
    process.on(sig, () => {
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(sig);
    });
  }
}
