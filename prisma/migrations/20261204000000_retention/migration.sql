-- Conversations are kept for this many days of inactivity; NULL keeps them forever.
ALTER TABLE "Org" ADD COLUMN "retentionDays" INTEGER;
