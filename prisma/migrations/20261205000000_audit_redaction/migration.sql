-- Redactable audit events (an erasure must remove a person from the trail without breaking the
-- chain). Events get a random salt per field that can hold personal data (`salts`); their hash
-- (version 2) covers each such field as sha256(salt, name, value), not the value itself. Redacting
-- a field of a sealed event replaces its value (a pseudonym, or null), drops its salt and keeps
-- the digest in `redacted`, so the event's hash, and the chain, still verify. Events sealed before
-- this migration (no salts) keep hash version 1 and cannot be redacted.

-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "redacted" JSONB,
ADD COLUMN     "salts" JSONB;

-- The row guard: as before (append-only, a row sealed once), plus one more kind of update, a
-- redaction, allowed only inside enclave_audit_redact (which sets enclave.audit_redaction for its
-- own statement): a sealed row, and nothing but the redactable fields, their salts and the
-- record of what was redacted may change.
CREATE OR REPLACE FUNCTION enclave_audit_event_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION 'audit events are append-only: % is not allowed', TG_OP USING ERRCODE = '42501';
  END IF;
  IF current_setting('enclave.audit_redaction', true) = 'on' THEN
    IF OLD."hash" IS NULL OR OLD."salts" IS NULL THEN
      RAISE EXCEPTION 'audit event % cannot be redacted: only a sealed event with field salts can', OLD."id" USING ERRCODE = '42501';
    END IF;
    IF NEW."id" IS DISTINCT FROM OLD."id" OR NEW."pos" IS DISTINCT FROM OLD."pos"
       OR NEW."orgId" IS DISTINCT FROM OLD."orgId" OR NEW."seq" IS DISTINCT FROM OLD."seq"
       OR NEW."prevHash" IS DISTINCT FROM OLD."prevHash" OR NEW."hash" IS DISTINCT FROM OLD."hash"
       OR NEW."sealedAt" IS DISTINCT FROM OLD."sealedAt" OR NEW."requestId" IS DISTINCT FROM OLD."requestId"
       OR NEW."action" IS DISTINCT FROM OLD."action" OR NEW."targetType" IS DISTINCT FROM OLD."targetType"
       OR NEW."outcome" IS DISTINCT FROM OLD."outcome" OR NEW."latencyMs" IS DISTINCT FROM OLD."latencyMs"
       OR NEW."createdAt" IS DISTINCT FROM OLD."createdAt" OR NEW."redacted" IS NULL THEN
      RAISE EXCEPTION 'audit event %: a redaction changes only redactable fields and records them', OLD."id" USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
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
     OR NEW."data" IS DISTINCT FROM OLD."data" OR NEW."createdAt" IS DISTINCT FROM OLD."createdAt"
     OR NEW."salts" IS DISTINCT FROM OLD."salts" OR NEW."redacted" IS DISTINCT FROM OLD."redacted" THEN
    RAISE EXCEPTION 'audit event %: only its seal may be set', OLD."id" USING ERRCODE = '42501';
  END IF;
  IF NEW."hash" IS NULL OR NEW."seq" IS NULL OR NEW."prevHash" IS NULL THEN
    RAISE EXCEPTION 'audit event %: a seal sets seq, prevHash and hash together', OLD."id" USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

-- The one way to redact: runs as the table's owner (the application's role is not granted
-- UPDATE on these columns, see `npm run db:grants`). Whether the digests it stores are the true
-- ones is for verification to say: a wrong one breaks the event's hash.
CREATE OR REPLACE FUNCTION enclave_audit_redact(
  p_id TEXT, p_actor TEXT, p_session TEXT, p_target TEXT, p_input TEXT, p_output TEXT,
  p_content JSONB, p_data JSONB, p_salts JSONB, p_redacted JSONB
) RETURNS INTEGER AS $$
DECLARE
  n INTEGER;
BEGIN
  PERFORM set_config('enclave.audit_redaction', 'on', true);
  UPDATE "AuditEvent" SET "actorId" = p_actor, "sessionId" = p_session, "targetId" = p_target,
    "inputHash" = p_input, "outputHash" = p_output, "content" = p_content, "data" = p_data,
    "salts" = p_salts, "redacted" = p_redacted
  WHERE "id" = p_id;
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('enclave.audit_redaction', 'off', true);
  RETURN n;
END
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = public;
