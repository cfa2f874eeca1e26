-- CreateTable
CREATE TABLE "LimitOverride" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "userRpm" INTEGER,
    "userTpm" INTEGER,
    "maxConcurrentTurns" INTEGER,
    "updatedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LimitOverride_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "LimitOverride_orgId_scope_subjectId_key" ON "LimitOverride"("orgId", "scope", "subjectId");

-- AddForeignKey
ALTER TABLE "LimitOverride" ADD CONSTRAINT "LimitOverride_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;
