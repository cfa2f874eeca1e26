/**
 * The data layer's public face. Everything personal goes through `db.for(principal)`, whose
 * repositories put the principal's org and user into every WHERE clause. Nothing outside
 * lib/db imports the Prisma client (a test enforces it).
 */
import type { Principal } from "@/lib/principal";
import { conversationRepository } from "./repositories/conversations";
import { messageRepository } from "./repositories/messages";
import { profileRepository } from "./repositories/profile";
import { adminRepository } from "./repositories/admin";
import { apiKeyRepository } from "./repositories/api-keys";
import { teamViewRepository } from "./repositories/team-view";
import { auditRepository } from "./repositories/audit";
import { limitRepository } from "./repositories/limits";
import { agentVersionRepository } from "./repositories/agent-versions";
import { searchRepository } from "./repositories/search";
import { memoryRepository } from "./repositories/memories";
import { jobRepository, jobRunnerRepository } from "./repositories/jobs";
import { dataExportRepository, type ExportOwner } from "./repositories/data-export";
import { usageRepository } from "./repositories/usage";
import { erasureRepository } from "./repositories/erasure";

export const db = {
  for(principal: Principal) {
    return {
      conversations: conversationRepository(principal),
      messages: messageRepository(principal),
      profile: profileRepository(principal),
      admin: adminRepository(principal),
      apiKeys: apiKeyRepository(principal),
      teamView: teamViewRepository(principal),
      audit: auditRepository(principal),
      limits: limitRepository(principal),
      agents: agentVersionRepository(principal),
      search: searchRepository(principal),
      memories: memoryRepository(principal),
      jobs: jobRepository(principal),
      usage: usageRepository(principal),
    };
  },
  /**
   * Background jobs act for the person whose data they touch, known by ids only (a worker has
   * no session): these repositories are scoped by that owner in every WHERE clause.
   */
  forOwner(owner: ExportOwner) {
    return {
      jobs: jobRunnerRepository(owner),
      dataExport: dataExportRepository(owner),
      erasure: erasureRepository(owner),
    };
  },
};

export type ScopedDb = ReturnType<typeof db.for>;
export type * from "./types";
export type { Profile } from "./repositories/profile";
export type { LimitOverrideRecord, LimitOverrideValues, LimitScope } from "./repositories/limits";
export type { AgentVersionConfig, AgentVersionRecord, AgentVersionValues } from "./repositories/agent-versions";
export type { StartTurnInput, FinishMessageInput } from "./repositories/messages";
export type { MessageSearchHit, MessageSearchOptions } from "./repositories/search";
export type { MemoryRecord, MemoryHit, PreferencesRecord } from "./repositories/memories";
export { DEFAULT_PREFERENCES, queryTerms } from "./repositories/memories";
export type { JobOwner, JobRecord, JobStatus } from "./repositories/jobs";
export { unsafeListUnfinishedJobs } from "./repositories/jobs";
export type { ExportOwner, ExportedConversation, ExportedAuditEvent, StoredArchive } from "./repositories/data-export";
export { getDatabase, closeDatabase } from "./database";
export type { UsageRowInput, UsageScope, UsageFilters, UsageTotals, UsageGroup, UsageDailyExportRow, BudgetScope, BudgetPeriod, BudgetRecord, BudgetValues } from "./repositories/usage";
export { unsafeWriteUsageBatch } from "./repositories/usage";
export type { DatabaseKind } from "./client";
