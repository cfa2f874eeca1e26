import { afterEach, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acquireDataDirLock, DataDirLockedError } from "./pglite-lock";

const children: ChildProcess[] = [];
const dirs: string[] = [];

function tempDataDir(): string {
  const d = mkdtempSync(join(tmpdir(), "enclave-lock-"));
  dirs.push(d);
  return d;
}

function run(script: string, dataDir: string): ChildProcess {
  const env = { ...process.env, ENCLAVE_DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "silent" };
  // `node --import tsx` rather than the tsx wrapper, so child.pid is the process holding the lock.
  const child = spawn(process.execPath, ["--import", "tsx", script], { env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  return child;
}

function output(child: ChildProcess, until?: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (b: Buffer) => {
      stdout += b.toString();
      if (until?.test(stdout)) resolve({ code: null, stdout, stderr });
    });
    child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("embedded database lock", () => {
  it("a second process on the same data directory refuses with the directory and the holder's pid", async () => {
    const dataDir = tempDataDir();
    const holder = run("lib/db/__fixtures__/hold-embedded-db.ts", dataDir);
    const held = await output(holder, /holding \d+/);
    expect(held.stdout).toContain(`holding ${holder.pid}`);
    const second = run("scripts/db-migrate.ts", dataDir);
    const res = await output(second);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(join(dataDir, "pglite"));
    expect(res.stderr).toContain(`pid ${holder.pid}`);
    // The holder is unaffected and still owns the lock.
    expect(holder.exitCode).toBeNull();
  }, 60_000);

  it("a lock left by a dead process is taken over", () => {
    const dataDir = join(tempDataDir(), "pglite");
    writeFileSync(`${dataDir}.lock`, "999999999@" + (process.env.HOSTNAME ?? ""));
    const lock = acquireDataDirLock(dataDir);
    expect(existsSync(lock.path)).toBe(true);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it("in one process, a second acquisition is refused rather than silently shared", () => {
    const dataDir = join(tempDataDir(), "pglite");
    const lock = acquireDataDirLock(dataDir);
    expect(() => acquireDataDirLock(dataDir)).toThrow(/already holds/);
    lock.release();
  });

  it("names the holder in the error", () => {
    const err = new DataDirLockedError("/x/pglite", 42);
    expect(err.message).toContain("/x/pglite");
    expect(err.message).toContain("pid 42");
  });
});
