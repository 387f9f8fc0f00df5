-- DropIndex
DROP INDEX "SmsDelivery_userId_stats_idx";

-- DropIndex
DROP INDEX "SmsDelivery_campaignId_stats_idx";

-- DropIndex
DROP INDEX "SmsDelivery_smsActionId_stats_idx";

-- AlterTable
ALTER TABLE "SmsDelivery" ADD COLUMN "tenthsToDelivered" INTEGER;

-- CreateIndex
CREATE INDEX "SmsDelivery_userId_stats_idx" ON "SmsDelivery"("userId", "createdAt", "status", "segments", "errorCode", "tenthsToDelivered");

-- CreateIndex
CREATE INDEX "SmsDelivery_campaignId_stats_idx" ON "SmsDelivery"("campaignId", "createdAt", "status", "segments", "errorCode", "tenthsToDelivered");

-- CreateIndex
CREATE INDEX "SmsDelivery_smsActionId_stats_idx" ON "SmsDelivery"("smsActionId", "createdAt", "status", "segments", "errorCode", "tenthsToDelivered");

-- Backfill
UPDATE "SmsDelivery" SET "tenthsToDelivered" = CAST(ROUND((julianday("deliveredAt") - julianday("createdAt")) * 864000) AS INTEGER)
WHERE "deliveredAt" IS NOT NULL;
