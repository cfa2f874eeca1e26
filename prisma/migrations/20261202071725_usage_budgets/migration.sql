-- CreateTable
CREATE TABLE "UsageRecord" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "teamId" TEXT NOT NULL DEFAULT '',
    "conversationId" TEXT,
    "requestId" TEXT NOT NULL,
    "agent" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "inputTokens" INTEGER NOT NULL,
    "outputTokens" INTEGER NOT NULL,
    "cached" BOOLEAN NOT NULL DEFAULT false,
    "costUsd" DECIMAL(20,10) NOT NULL,
    "defaultPriced" BOOLEAN NOT NULL DEFAULT false,
    "at" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UsageRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UsageDaily" (
    "orgId" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "userId" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "agent" TEXT NOT NULL,
    "calls" INTEGER NOT NULL,
    "cachedCalls" INTEGER NOT NULL,
    "defaultPricedCalls" INTEGER NOT NULL,
    "inputTokens" BIGINT NOT NULL,
    "outputTokens" BIGINT NOT NULL,
    "costUsd" DECIMAL(20,10) NOT NULL,
    "defaultPricedCostUsd" DECIMAL(20,10) NOT NULL,

    CONSTRAINT "UsageDaily_pkey" PRIMARY KEY ("orgId","day","userId","teamId","model","agent")
);

-- CreateTable
CREATE TABLE "Budget" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "period" TEXT NOT NULL DEFAULT 'month',
    "limitUsd" DECIMAL(20,10) NOT NULL,
    "softPercent" INTEGER NOT NULL DEFAULT 80,
    "updatedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Budget_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BudgetNotice" (
    "orgId" TEXT NOT NULL,
    "budgetKey" TEXT NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BudgetNotice_pkey" PRIMARY KEY ("orgId","budgetKey","periodStart","kind")
);

-- CreateIndex
CREATE INDEX "UsageRecord_orgId_at_idx" ON "UsageRecord"("orgId", "at");

-- CreateIndex
CREATE INDEX "UsageRecord_orgId_userId_at_idx" ON "UsageRecord"("orgId", "userId", "at");

-- CreateIndex
CREATE INDEX "UsageDaily_orgId_userId_day_idx" ON "UsageDaily"("orgId", "userId", "day");

-- CreateIndex
CREATE INDEX "UsageDaily_orgId_teamId_day_idx" ON "UsageDaily"("orgId", "teamId", "day");

-- CreateIndex
CREATE UNIQUE INDEX "Budget_orgId_scope_subjectId_key" ON "Budget"("orgId", "scope", "subjectId");

-- AddForeignKey
ALTER TABLE "UsageRecord" ADD CONSTRAINT "UsageRecord_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UsageDaily" ADD CONSTRAINT "UsageDaily_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Budget" ADD CONSTRAINT "Budget_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BudgetNotice" ADD CONSTRAINT "BudgetNotice_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;
