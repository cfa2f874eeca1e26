-- CreateEnum
CREATE TYPE "AuditContentPolicy" AS ENUM ('full', 'redacted', 'hashes');

-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "content" JSONB,
ADD COLUMN     "hash" TEXT,
ADD COLUMN     "inputHash" TEXT,
ADD COLUMN     "latencyMs" INTEGER,
ADD COLUMN     "outputHash" TEXT,
ADD COLUMN     "pos" BIGSERIAL NOT NULL,
ADD COLUMN     "prevHash" TEXT,
ADD COLUMN     "sealedAt" TIMESTAMP(3),
ADD COLUMN     "seq" BIGINT;

-- AlterTable
ALTER TABLE "Org" ADD COLUMN     "auditContent" "AuditContentPolicy" NOT NULL DEFAULT 'redacted';

-- CreateTable
CREATE TABLE "AuditCheckpoint" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "algorithm" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditCheckpoint_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AuditCheckpoint_orgId_seq_key" ON "AuditCheckpoint"("orgId", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_orgId_pos_idx" ON "AuditEvent"("orgId", "pos" DESC);

-- CreateIndex
CREATE INDEX "AuditEvent_orgId_actorId_pos_idx" ON "AuditEvent"("orgId", "actorId", "pos");

-- CreateIndex
CREATE INDEX "AuditEvent_orgId_targetType_targetId_idx" ON "AuditEvent"("orgId", "targetType", "targetId");

-- CreateIndex
CREATE INDEX "AuditEvent_requestId_idx" ON "AuditEvent"("requestId");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_pos_key" ON "AuditEvent"("pos");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_orgId_seq_key" ON "AuditEvent"("orgId", "seq");

-- AddForeignKey
ALTER TABLE "AuditCheckpoint" ADD CONSTRAINT "AuditCheckpoint_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Append-only audit trail. Rows may be inserted; a row may be updated once, only to seal it
-- (seq, prevHash, hash, sealedAt set on a row that has no hash yet), and never deleted or
-- truncated. Checkpoints are insert-only. (On PostgreSQL, `npm run db:grants` also withholds
-- UPDATE on the content columns and DELETE from the application's role.)
CREATE OR REPLACE FUNCTION enclave_audit_event_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION 'audit events are append-only: % is not allowed', TG_OP USING ERRCODE = '42501';
  END IF;
  IF OLD."hash" IS NOT NULL THEN
    RAISE EXCEPTION 'audit event % is sealed and cannot change', OLD."id" USING ERRCODE = '42501';
  END IF;
  IF NEW."id" IS DISTINCT FROM OLD."id" OR NEW."pos" IS DISTINCT FROM OLD."pos"
     OR NEW."orgId" IS DISTINCT FROM OLD."orgId" OR NEW."actorId" IS DISTINCT FROM OLD."actorId"
     OR NEW."sessionId" IS DISTINCT FROM OLD."sessionId" OR NEW."requestId" IS DISTINCT FROM OLD."requestId"
     OR NEW."action" IS DISTINCT FROM OLD."action" OR NEW."targetType" IS DISTINCT FROM OLD."targetType"
     OR NEW."targetId" IS DISTINCT FROM OLD."targetId" OR NEW."outcome" IS DISTINCT FROM OLD."outcome"
     OR NEW."latencyMs" IS DISTINCT FROM OLD."latencyMs" OR NEW."inputHash" IS DISTINCT FROM OLD."inputHash"
     OR NEW."outputHash" IS DISTINCT FROM OLD."outputHash" OR NEW."content" IS DISTINCT FROM OLD."content"
     OR NEW."data" IS DISTINCT FROM OLD."data" OR NEW."createdAt" IS DISTINCT FROM OLD."createdAt" THEN
    RAISE EXCEPTION 'audit event %: only its seal may be set', OLD."id" USING ERRCODE = '42501';
  END IF;
  IF NEW."hash" IS NULL OR NEW."seq" IS NULL OR NEW."prevHash" IS NULL THEN
    RAISE EXCEPTION 'audit event %: a seal sets seq, prevHash and hash together', OLD."id" USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "AuditEvent_append_only_row" BEFORE UPDATE OR DELETE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION enclave_audit_event_guard();
CREATE TRIGGER "AuditEvent_append_only_truncate" BEFORE TRUNCATE ON "AuditEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION enclave_audit_event_guard();

CREATE OR REPLACE FUNCTION enclave_audit_checkpoint_guard() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit checkpoints are append-only: % is not allowed', TG_OP USING ERRCODE = '42501';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "AuditCheckpoint_append_only_row" BEFORE UPDATE OR DELETE ON "AuditCheckpoint"
  FOR EACH ROW EXECUTE FUNCTION enclave_audit_checkpoint_guard();
CREATE TRIGGER "AuditCheckpoint_append_only_truncate" BEFORE TRUNCATE ON "AuditCheckpoint"
  FOR EACH STATEMENT EXECUTE FUNCTION enclave_audit_checkpoint_guard();
