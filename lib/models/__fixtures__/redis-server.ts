import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A throwaway redis-server of a test's own, on a free port, that the test may stop, freeze and
 * restart (never the machine's shared one on 6379). Nothing persists: `--save "" --appendonly no`.
 */
export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  readonly pid: number | undefined;
  /** Stops it (SIGTERM, then waits for the exit). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT: connections stay open but nothing is answered. */
  freeze(): void;
  thaw(): void;
  /** Stops it for good and removes its directory (afterAll). */
  dispose(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "enclave-redis-"));
  let proc: ChildProcess | null = null;

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const p = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      proc = p;
      let out = "";
      const timer = setTimeout(() => reject(new Error(`redis-server on ${port} did not start: ${out}`)), 10_000);
      p.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        if (/Ready to accept connections/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      p.stderr!.on("data", (d: Buffer) => (out += d.toString()));
      p.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server on ${port} exited (${code}): ${out}`));
      });
    });

  const stop = async () => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGCONT");
    p.kill("SIGTERM");
    await exited;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return proc?.pid;
    },
    start,
    async stop() {
      await stop();
    },
    freeze: () => void proc?.kill("SIGSTOP"),
    thaw: () => void proc?.kill("SIGCONT"),
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
