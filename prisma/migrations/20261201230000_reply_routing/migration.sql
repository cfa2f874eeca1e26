-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "deploymentId" TEXT,
ADD COLUMN     "fallback" BOOLEAN NOT NULL DEFAULT false;
