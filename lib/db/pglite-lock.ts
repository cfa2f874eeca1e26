import { openSync, writeSync, closeSync, readFileSync, unlinkSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { hostname } from "node:os";

/**
 * PGlite has no lock of its own: two processes on one data directory silently lose writes.
 * We hold `<dataDir>.lock`, created with O_EXCL and holding our pid, for the life of the process.
 */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
  ) {
    super(
      `The embedded database at ${dataDir} is in use by another Enclave process (pid ${holderPid}). ` +
        `Stop that process first, or point ENCLAVE_DATA_DIR at another directory.`,
    );
    this.name = "DataDirLockedError";
  }
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM means it exists but belongs to someone else: still alive.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(lockPath: string): { pid: number; host: string } | null {
  try {
    const [pid, host] = readFileSync(lockPath, "utf8").trim().split("@");
    const n = Number(pid);
    return Number.isInteger(n) && n > 0 ? { pid: n, host: host ?? "" } : null;
  } catch {
    return null;
  }
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  const dir = resolve(dataDir);
  const lockPath = `${dir}.lock`;
  mkdirSync(dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, "wx", 0o600);
      writeSync(fd, `${process.pid}@${hostname()}\n`);
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const holder = readHolder(lockPath);
        if (holder?.pid === process.pid) {
          try {
            unlinkSync(lockPath);
          } catch {
            /* already gone */
          }
        }
      };
      process.once("exit", release);
      return { path: lockPath, release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = readHolder(lockPath);
      if (holder && holder.pid !== process.pid && isAlive(holder.pid) && (holder.host === "" || holder.host === hostname())) {
        throw new DataDirLockedError(dir, holder.pid);
      }
      if (holder?.pid === process.pid) {
        throw new Error(`This process already holds the embedded database at ${dir}; open it once and share it.`);
      }
      // The holder died without cleaning up (crash, kill -9): the lock is stale.
      try {
        unlinkSync(lockPath);
      } catch {
        /* raced with another opener; retry */
      }
    }
  }
  const holder = readHolder(lockPath);
  throw new DataDirLockedError(dir, holder?.pid ?? -1);
}
