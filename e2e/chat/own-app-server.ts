import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { E2E_MASTER_KEY } from "../fixtures/master-key";

/**
 * An app server of a spec's own (`next start` on the production build, a fresh embedded
 * database, the offline model, dev sign-in), for settings the shared e2e servers must not have,
 * such as a rate limit of one turn a minute. Only the variables given here reach it.
 */
export interface OwnAppServer {
  baseURL: string;
  stop(): Promise<void>;
}

export async function startOwnAppServer(name: string, port: number, env: Record<string, string>): Promise<OwnAppServer> {
  const baseURL = `http://localhost:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), `enclave-e2e-${name}-`));
  const child: ChildProcess = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port)], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      ...(process.env.NEXT_DIST_DIR ? { NEXT_DIST_DIR: process.env.NEXT_DIST_DIR } : {}),
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      ENCLAVE_DATA_DIR: dataDir,
      ENCLAVE_MASTER_KEY: E2E_MASTER_KEY,
      ENCLAVE_DEV_LOGIN: "true",
      AUTH_SECRET: `enclave-e2e-${name}-secret-0123456789abcdef`,
      AUTH_URL: baseURL,
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4_000)));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the ${name} server exited: ${stderr}`);
    }
    try {
      if ((await fetch(`${baseURL}/api/health`)).ok) return { baseURL, stop };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`the ${name} server did not start: ${stderr}`);
}
