import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChatTurn } from "@/lib/chat/turn";
import { drain, useEnv } from "@/lib/chat/turn-test-kit";
import { resetEnvCache } from "@/lib/config/env";
import { forgetAuditContentPolicy } from "@/lib/db/audit";
import { principalFor } from "@/lib/db/test-principals";
import { signedIn } from "@/lib/db/test-sessions";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { inProcessAdapter, installJobServiceForTests, jobs, JobService } from "@/lib/jobs";
import { JOB_DEFINITIONS } from "@/lib/jobs/kinds";
import { addMemory, recallMemories, updatePreferences } from "@/lib/memory/memories";
import { renameConversation, getConversationWithMessages } from "@/lib/conversations/queries";
import { openWithJustification, readView } from "@/lib/oversight/team-view";
import { downloadExport, startExport } from "@/lib/privacy/export";
import type { Principal } from "@/lib/principal";
import { isSealed } from "@/lib/privacy/encryption/content-cipher";
import { SEALED_COLUMNS } from "./sealed-columns";

/**
 * Encryption at rest covers every column that can hold what people write. The first test lists
 * every text, JSON and text-array column of the schema: each is sealed (SEALED_COLUMNS), the
 * blind index of a sealed one, or exempt here with the reason; a new column fails until it is
 * classified. The second drives every write path once with a unique marker and proves that no
 * table (and, on PostgreSQL, no pg_dump of the whole database) holds the marker in plaintext,
 * while everything still reads back through the app.
 */
const EXEMPT: Record<string, string> = {
  // Identifiers, keys and enumerations the app generates; foreign keys; hashes.
  ...Object.fromEntries(
    [
      "Org.id", "Org.slug", "Org.domainVerificationToken", "OrgKey.orgId", "OrgKey.purpose", "OrgKey.masterKeyId",
      "Role.id", "Role.orgId", "Role.key", "Role.permissions", "GroupMapping.id", "GroupMapping.orgId", "GroupMapping.roleKey", "GroupMapping.teamId",
      "Team.id", "Team.orgId", "TeamManager.teamId", "TeamManager.userId", "TeamManager.orgId",
      "User.id", "User.orgId", "User.role", "User.teamId", "User.ssoIssuer", "User.ssoSubject",
      "ApiKey.id", "ApiKey.orgId", "ApiKey.userId", "ApiKey.prefix", "ApiKey.hash", "ApiKey.scopes",
      "ConversationView.id", "ConversationView.orgId", "ConversationView.viewerId", "ConversationView.ownerId", "ConversationView.conversationId",
      "AuditEvent.id", "AuditEvent.orgId", "AuditEvent.prevHash", "AuditEvent.hash", "AuditEvent.actorId", "AuditEvent.sessionId", "AuditEvent.requestId",
      "AuditEvent.action", "AuditEvent.targetType", "AuditEvent.targetId", "AuditEvent.outcome", "AuditEvent.inputHash", "AuditEvent.outputHash",
      "AuditEvent.salts", "AuditEvent.redacted",
      "AuditCheckpoint.id", "AuditCheckpoint.orgId", "AuditCheckpoint.hash", "AuditCheckpoint.algorithm", "AuditCheckpoint.keyId", "AuditCheckpoint.signature",
      "Session.id", "Session.orgId", "Session.userId", "Session.provider",
      "Conversation.id", "Conversation.orgId", "Conversation.userId",
      "Message.id", "Message.conversationId", "Message.orgId", "Message.userId", "Message.model", "Message.requestId", "Message.instanceId", "Message.deploymentId",
      "ServerInstance.id", "LimitOverride.id", "LimitOverride.orgId", "LimitOverride.scope", "LimitOverride.subjectId", "LimitOverride.updatedById",
      "Memory.id", "Memory.orgId", "Memory.userId", "Memory.sourceConversationId", "UserPreference.userId", "UserPreference.orgId",
      "BackgroundJob.id", "BackgroundJob.orgId", "BackgroundJob.userId", "BackgroundJob.startedById", "BackgroundJob.kind",
      "DataExport.id", "DataExport.orgId", "DataExport.userId", "DataExport.jobId",
      "AgentVersion.id", "AgentVersion.orgId", "AgentVersion.agentId", "AgentVersion.tier", "AgentVersion.allowedRoles", "AgentVersion.createdById",
      "UsageRecord.id", "UsageRecord.orgId", "UsageRecord.userId", "UsageRecord.teamId", "UsageRecord.conversationId", "UsageRecord.requestId",
      "UsageRecord.agent", "UsageRecord.deploymentId", "UsageRecord.provider", "UsageRecord.model",
      "UsageDaily.orgId", "UsageDaily.userId", "UsageDaily.teamId", "UsageDaily.model", "UsageDaily.agent",
      "Budget.id", "Budget.orgId", "Budget.scope", "Budget.subjectId", "Budget.period", "Budget.updatedById", "BudgetNotice.orgId", "BudgetNotice.budgetKey", "BudgetNotice.kind",
    ].map((c) => [c, "an identifier, key, enumeration or hash the app generates"]),
  ),
  "OrgKey.wrappedKey": "the org's data key, itself encrypted by the master key (the envelope)",
  "User.email": "identity from the SSO provider: sign-in looks people up by it (erasure removes it)",
  "User.name": "identity from the SSO provider, shown to admins and managers (erasure removes it)",
  "Org.name": "org configuration an operator sets",
  "Org.emailDomains": "org configuration: sign-in matches on it",
  "Org.verifiedEmailDomains": "org configuration: sign-in matches on it",
  "Role.name": "org configuration an admin writes",
  "Role.description": "org configuration an admin writes",
  "GroupMapping.group": "an SSO group name from the identity provider (configuration)",
  "Team.name": "org configuration an admin writes",
  "ApiKey.name": "a label for a credential, not content; the credential itself is stored only as a SHA-256",
  "AgentVersion.instructions": "org configuration (agent instructions) an admin writes, not people's content",
  "AgentVersion.note": "org configuration: an admin's change note",
  "AuditEvent.data": "audit metadata, which every audit reader sees: what people wrote goes only in `content` (sealed); erasure redacts identities in it",
  "BackgroundJob.payload": "job parameters: ids and a scope, never content",
  "BackgroundJob.error": "a system error message",
  "Message.error": "a system reason (provider error, interruption), never the user's text",
  "Message.agentVersions": "ids and version numbers of the agents that answered",
};
const INDEXES = new Set(SEALED_COLUMNS.flatMap((c) => (c.terms ? [`${c.table}.${c.terms}`] : [])));

let t: TestDatabase;
let alice: Principal;
let bob: Principal;
const saved = { ...process.env };

beforeAll(async () => {
  t = await createTestDatabase();
  installJobServiceForTests(new JobService(inProcessAdapter({ kinds: JOB_DEFINITIONS.map((d) => d.kind), resumeOnStart: false }), JOB_DEFINITIONS));
  alice = principalFor(await seededUser(t.db, "alice@acme.test"));
  bob = await signedIn(t.db, "bob@acme.test"); // her manager, with his teams
  useEnv({}); // the offline model, without delays
}, 120_000);
afterAll(async () => {
  process.env = { ...saved };
  resetEnvCache();
  await jobs().close();
  installJobServiceForTests(undefined);
  await t?.dispose();
});

describe(`encryption at rest (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("every column that can hold text is sealed, a sealed column's blind index, or exempt with a reason", async () => {
    const cols = await t.db.prisma.$queryRaw<Array<{ t: string; c: string }>>`
      SELECT table_name AS t, column_name AS c FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name NOT LIKE '\\_prisma%'
        AND (data_type IN ('text', 'character varying', 'character', 'json', 'jsonb') OR udt_name IN ('_text', '_varchar', '_json', '_jsonb'))
      ORDER BY table_name, column_name`;
    expect(cols.length).toBeGreaterThan(100);
    const sealed = new Set(SEALED_COLUMNS.map((c) => `${c.table}.${c.column}`));
    const unclassified = cols.map((x) => `${x.t}.${x.c}`).filter((n) => !sealed.has(n) && !INDEXES.has(n) && !(n in EXEMPT));
    expect(unclassified, "classify these columns: seal them (lib/db/sealed-columns.ts) or exempt them here with a reason").toEqual([]);
    // And nothing listed is stale: every sealed or exempt column exists.
    const present = new Set(cols.map((x) => `${x.t}.${x.c}`));
    expect([...sealed, ...INDEXES, ...Object.keys(EXEMPT)].filter((n) => !present.has(n))).toEqual([]);
  });

  it("after a turn, memories, preferences, a rename, a team view and an export, no table holds the marker in plaintext", async () => {
    const marker = `quokka${randomUUID().slice(0, 8)}`;
    await t.db.prisma.org.update({ where: { id: alice.orgId }, data: { auditContent: "full" } });
    forgetAuditContentPolicy(alice.orgId);
    const conversationId = `enc-${randomUUID()}`;
    const turn = await runChatTurn(alice, { id: conversationId, message: { id: randomUUID(), role: "user", parts: [{ type: "text", text: `Remember that I prefer ${marker} units` }] } }, { requestId: randomUUID() });
    await drain(turn);
    const memory = await addMemory(alice, { text: `Alice works on the ${marker} launch` });
    await updatePreferences(alice, { language: `${marker}ese`, tone: "formal" });
    await renameConversation(alice, conversationId, `Plans for ${marker}`);
    const { viewId } = await openWithJustification(bob, { ownerId: alice.userId, conversationId, justification: `Checking the ${marker} escalation` });
    const { id: exportId } = await startExport(alice);
    await jobs().idle();

    // Every sealed column written above holds ciphertext only.
    for (const c of SEALED_COLUMNS) {
      const values = await t.db.prisma.$queryRawUnsafe<Array<{ v: unknown }>>(`SELECT "${c.column}" AS v FROM "${c.table}" WHERE "orgId" = $1 AND "${c.column}" IS NOT NULL`, alice.orgId);
      expect(values.length, `${c.table}.${c.column} was written`).toBeGreaterThan(0);
      expect(values.filter((x) => !isSealed(x.v)).map((x) => JSON.stringify(x.v).slice(0, 80)), `${c.table}.${c.column}`).toEqual([]);
    }
    const tables = await t.db.prisma.$queryRaw<Array<{ table_name: string }>>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`;
    const leaks: string[] = [];
    for (const { table_name } of tables) {
      const rows = await t.db.prisma.$queryRawUnsafe<Array<{ row: string }>>(`SELECT row_to_json(x)::text AS row FROM "${table_name}" x`);
      for (const { row } of rows) if (row.toLowerCase().includes(marker)) leaks.push(`${table_name}: ${row.slice(0, 200)}`);
    }
    expect(leaks).toEqual([]);

    // ...and the app reads it all back, search included.
    const conv = await getConversationWithMessages(alice, conversationId);
    expect(conv.conversation.title).toBe(`Plans for ${marker}`);
    expect(JSON.stringify(conv.messages)).toContain(`I prefer ${marker} units`);
    expect((await recallMemories(alice, `the ${marker} launch`)).map((m) => m.id)).toContain(memory.id);
    const view = await readView(bob, viewId);
    expect(view.title).toBe(`Plans for ${marker}`);
    expect(view.view.justification).toBe(`Checking the ${marker} escalation`);
    const archive = await downloadExport(alice, exportId);
    expect(archive.body).toContain(marker);

    if (t.url) {
      // The whole database as a backup would hold it.
      const dump = spawnSync("pg_dump", ["--no-owner", t.url], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
      expect(dump.status, dump.stderr).toBe(0);
      expect(dump.stdout).toContain("OrgKey");
      expect(dump.stdout.toLowerCase().includes(marker)).toBe(false);
    }
  });
});
