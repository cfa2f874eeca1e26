-- Envelope encryption at rest: each org's wrapped data keys, and the blind indexes that keep
-- encrypted text searchable.
CREATE TABLE "OrgKey" (
    "orgId" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "wrappedKey" TEXT NOT NULL,
    "masterKeyId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rewrappedAt" TIMESTAMP(3),

    CONSTRAINT "OrgKey_pkey" PRIMARY KEY ("orgId","purpose","version")
);

ALTER TABLE "OrgKey" ADD CONSTRAINT "OrgKey_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Message" ADD COLUMN "terms" TEXT[] DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "Memory" ADD COLUMN "terms" TEXT[] DEFAULT ARRAY[]::TEXT[];
