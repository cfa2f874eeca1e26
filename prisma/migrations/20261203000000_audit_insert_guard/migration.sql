-- An inserted audit event cannot bring its own seal or time: the seal columns (seq, prevHash,
-- hash, sealedAt) start NULL, set only by the sealer's one UPDATE (see enclave_audit_event_guard),
-- and createdAt is the database's clock at insert, so a row cannot be backdated into the past of
-- the chain. The time a chat-turn step reports for itself is kept in data.at.
CREATE OR REPLACE FUNCTION enclave_audit_event_insert_guard() RETURNS trigger AS $$
BEGIN
  NEW."seq" := NULL;
  NEW."prevHash" := NULL;
  NEW."hash" := NULL;
  NEW."sealedAt" := NULL;
  NEW."createdAt" := date_trunc('milliseconds', now() AT TIME ZONE 'UTC');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "AuditEvent_insert_unsealed" BEFORE INSERT ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION enclave_audit_event_insert_guard();
