-- SSO identities bind to accounts by issuer and subject, not by email: the pair is stored at a
-- person's first SSO sign-in and must match at every later one.

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "ssoIssuer" TEXT,
ADD COLUMN     "ssoSubject" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "User_ssoIssuer_ssoSubject_key" ON "User"("ssoIssuer", "ssoSubject");
