-- An org's email domains provision people only once verified: set by the operator (seed,
-- ENCLAVE_ORG_DOMAINS) or proven by a DNS TXT record enclave-domain-verification=<token>.
-- Domains claimed before this migration start unverified (an admin could claim any domain).

-- AlterTable
ALTER TABLE "Org" ADD COLUMN     "domainVerificationToken" TEXT,
ADD COLUMN     "verifiedEmailDomains" TEXT[] DEFAULT ARRAY[]::TEXT[];

UPDATE "Org" SET "domainVerificationToken" = replace(gen_random_uuid()::text, '-', '');

ALTER TABLE "Org" ALTER COLUMN "domainVerificationToken" SET NOT NULL;
