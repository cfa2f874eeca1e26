import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { textsOf } from "../../lib/db/sealed-columns";
import { createThrowawayPostgres, installDatabaseAt, migrateAndSeed, openRows } from "../../lib/db/testing";
import { chatRequest } from "../fixtures/api";
import { URLS } from "../fixtures/servers";
import { E2E_MASTER_KEY } from "../fixtures/master-key";

/**
 * kill -9 mid-stream, on PostgreSQL with a real server process: the replies being streamed have
 * their text saved as they go; after a restart none is left `streaming`, each keeps its partial
 * text marked interrupted, and each turn's audit timeline is closed with an interrupted step.
 */
const PORT = 3130;
const BASE = `http://localhost:${PORT}`;

test.describe.configure({ timeout: 180_000 });

test("after kill -9 mid-stream and a restart, no reply is left streaming and each keeps its partial text", async () => {
  const database = await createThrowawayPostgres();
  await migrateAndSeed(database.url);
  const dataDir = mkdtempSync(join(tmpdir(), "enclave-kill9-"));
  const sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  // Saved text is encrypted at rest: the test opens it with the same master key as the server.
  const app = await installDatabaseAt({ kind: "postgresql", url: database.url });
  let server: ChildProcess | null = null;
  try {
    server = await startServer(database.url, dataDir);
    const cookie = await signIn("alice@acme.test");

    // Three replies streaming slowly, each read until some text has arrived.
    const conversations = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await Promise.all(
      conversations.map(async (id) => {
        const res = await fetch(`${BASE}/api/chat`, {
          method: "POST",
          headers: { "content-type": "application/json", cookie },
          body: JSON.stringify(chatRequest(id, `[[mock:delay-token=150]] Tell me a long story ${id} with many many words in it please`)),
        });
        expect(res.status).toBe(200);
        const reader = res.body!.getReader();
        let seen = "";
        while ((seen.match(/"type":"text-delta"/g) ?? []).length < 2) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`the reply ended early: ${seen}`);
          seen += new TextDecoder().decode(value);
        }
        // The body stays open: the server is killed while it streams.
      }),
    );
    // The partial text is checkpointed while streaming (STREAM_CHECKPOINT_MS=200).
    await expect
      .poll(async () => (await replies(sql, conversations)).filter((r) => r.status === "streaming" && r.chars > 0).length, { timeout: 10_000 })
      .toBe(3);
    server.kill("SIGKILL");
    await new Promise((r) => server!.once("exit", r));
    const before = await replies(sql, conversations);
    expect(before.map((r) => r.status)).toEqual(["streaming", "streaming", "streaming"]);

    server = await startServer(database.url, dataDir);
    await expect.poll(async () => (await replies(sql, conversations)).map((r) => r.status), { timeout: 30_000 }).toEqual(["interrupted", "interrupted", "interrupted"]);
    const after = await replies(sql, conversations);
    for (const [i, r] of after.entries()) {
      // What was saved before the kill is kept (at least that much text).
      expect(r.chars).toBeGreaterThanOrEqual(before[i]!.chars);
      expect(r.chars).toBeGreaterThan(0);
      expect(r.error).toMatch(/server stopped/i);
    }
    // Each turn's audit timeline is closed by an interrupted step under its own request id.
    await expect
      .poll(
        async () => {
          const { rows } = await sql.query<{ requestId: string }>(
            `SELECT "requestId" FROM "AuditEvent" WHERE "action" = 'chat.response_interrupted' AND "requestId" = ANY($1)`,
            [after.map((r) => r.requestId)],
          );
          return rows.length;
        },
        { timeout: 20_000 },
      )
      .toBe(3);
  } finally {
    server?.kill("SIGKILL");
    await sql.end();
    await app.close();
    await database.drop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
});

async function replies(sql: pg.Client, conversationIds: string[]) {
  const { rows: stored } = await sql.query<{ orgId: string; userId: string; conversationId: string; status: string; parts: unknown; error: string | null; requestId: string }>(
    `SELECT "orgId", "userId", "conversationId", "status", "error", "requestId", "parts"
     FROM "Message" WHERE "role" = 'assistant' AND "conversationId" = ANY($1)`,
    [conversationIds],
  );
  const rows = (await openRows("Message", stored)).map(({ parts, ...r }) => ({
    ...r,
    chars: textsOf(parts).reduce((n, t) => n + t.length, 0),
  }));
  return conversationIds.map((id) => rows.find((r) => r.conversationId === id)!);
}

async function startServer(databaseUrl: string, dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(PORT)], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: databaseUrl,
      ENCLAVE_DATA_DIR: dataDir,
      ENCLAVE_MASTER_KEY: E2E_MASTER_KEY,
      ENCLAVE_DEV_LOGIN: "true",
      AUTH_SECRET: "enclave-e2e-kill9-secret-0123456789abcdef",
      AUTH_URL: BASE,
      AUDIT_SIGNING_KEY: "enclave-e2e-kill9-audit-key-0123",
      OPENAI_BASE_URL: `${URLS.mock}/v1`,
      MODEL_LARGE: "mock-large",
      MODEL_SMALL: "mock-small",
      MODEL_MAX_RETRIES: "0",
      STREAM_CHECKPOINT_MS: "200",
      INSTANCE_HEARTBEAT_MS: "300",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited: ${stderr}`);
    try {
      if ((await fetch(`${BASE}/api/health`)).ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill("SIGKILL");
  throw new Error(`the server did not start: ${stderr}`);
}

async function signIn(email: string): Promise<string> {
  const csrf = await fetch(`${BASE}/api/auth/csrf`);
  const jar = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${BASE}/api/auth/callback/dev`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar },
    body: new URLSearchParams({ csrfToken, email, callbackUrl: `${BASE}/chat` }),
  });
  const session = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0] ?? "")
    .find((c) => c.startsWith("authjs.session-token="));
  if (!session) throw new Error(`sign-in failed for ${email}: ${res.status}`);
  return session;
}
