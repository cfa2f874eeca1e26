import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { createThrowawayPostgres, migrateAndSeed } from "../../lib/db/testing";
import { E2E_MASTER_KEY } from "../fixtures/master-key";

/**
 * An app server of this spec's own (`next start` on the production build) on a throwaway,
 * seeded PostgreSQL database, so usage can be seeded straight into its tables (the shared e2e
 * servers keep embedded databases their processes lock).
 */
export interface OwnApp {
  base: string;
  sql: pg.Client;
  logs: string[];
  stop(): Promise<void>;
}

export async function startOwnApp(port: number, extraEnv: Record<string, string> = {}): Promise<OwnApp> {
  const database = await createThrowawayPostgres();
  await migrateAndSeed(database.url);
  const sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  const dataDir = mkdtempSync(join(tmpdir(), `enclave-usage-${port}-`));
  const base = `http://localhost:${port}`;
  const child: ChildProcess = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port)], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      ...(process.env.NEXT_DIST_DIR ? { NEXT_DIST_DIR: process.env.NEXT_DIST_DIR } : {}),
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: database.url,
      ENCLAVE_DATA_DIR: dataDir,
      ENCLAVE_MASTER_KEY: E2E_MASTER_KEY,
      ENCLAVE_DEV_LOGIN: "true",
      AUTH_SECRET: "enclave-e2e-usage-secret-0123456789abcdef",
      AUTH_URL: base,
      AUDIT_SIGNING_KEY: "enclave-e2e-usage-audit-key-0123",
      OFFLINE_MODEL_DELAY_MS: "5",
      LOG_LEVEL: "warn",
      LOG_FORMAT: "json",
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  child.stdout!.on("data", (d: Buffer) => logs.push(d.toString()));
  child.stderr!.on("data", (d: Buffer) => logs.push(d.toString()));
  const stop = async () => {
    child.kill("SIGKILL");
    await sql.end().catch(() => {});
    await database.drop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  };
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the app on ${port} exited: ${logs.join("").slice(-4000)}`);
    }
    try {
      if ((await fetch(`${base}/api/health`)).ok) return { base, sql, logs, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`the app on ${port} did not start`);
}

export interface SeedCall {
  email: string;
  model: string;
  agent: string;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  /** Days before today (UTC). */
  daysAgo: number;
  defaultPriced?: boolean;
}

/**
 * Seeds usage as metering would have written it: the raw rows and their daily aggregates
 * (the same columns lib/db/repositories/usage.ts writes), with each person's current team.
 */
export async function seedUsage(sql: pg.Client, calls: readonly SeedCall[]): Promise<void> {
  for (const c of calls) {
    const at = new Date(Date.now() - c.daysAgo * 86_400_000);
    const { rows } = await sql.query<{ id: string; orgId: string; teamId: string | null }>(`SELECT "id", "orgId", "teamId" FROM "User" WHERE "email" = $1`, [c.email]);
    const u = rows[0]!;
    const dp = c.defaultPriced ?? false;
    await sql.query(
      `INSERT INTO "UsageRecord" ("id","orgId","userId","teamId","conversationId","requestId","agent","deploymentId","provider","model","inputTokens","outputTokens","cached","costUsd","defaultPriced","at")
       VALUES ($1,$2,$3,$4,NULL,'seed',$5,'seed','openai',$6,$7,$8,false,$9,$10,$11)`,
      [randomUUID(), u.orgId, u.id, u.teamId ?? "", c.agent, c.model, c.inputTokens, c.outputTokens, c.costUsd, dp, at],
    );
    await sql.query(
      `INSERT INTO "UsageDaily" ("orgId","day","userId","teamId","model","agent","calls","cachedCalls","defaultPricedCalls","inputTokens","outputTokens","costUsd","defaultPricedCostUsd")
       VALUES ($1,$2::date,$3,$4,$5,$6,1,0,$7,$8,$9,$10,$11)
       ON CONFLICT ("orgId","day","userId","teamId","model","agent") DO UPDATE SET
         "calls" = "UsageDaily"."calls" + 1, "defaultPricedCalls" = "UsageDaily"."defaultPricedCalls" + EXCLUDED."defaultPricedCalls",
         "inputTokens" = "UsageDaily"."inputTokens" + EXCLUDED."inputTokens", "outputTokens" = "UsageDaily"."outputTokens" + EXCLUDED."outputTokens",
         "costUsd" = "UsageDaily"."costUsd" + EXCLUDED."costUsd", "defaultPricedCostUsd" = "UsageDaily"."defaultPricedCostUsd" + EXCLUDED."defaultPricedCostUsd"`,
      [u.orgId, at.toISOString().slice(0, 10), u.id, u.teamId ?? "", c.model, c.agent, dp ? 1 : 0, c.inputTokens, c.outputTokens, c.costUsd, dp ? c.costUsd : 0],
    );
  }
}
