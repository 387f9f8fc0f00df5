-- AlterTable
ALTER TABLE "SmsAction" ADD COLUMN     "requiresConsent" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "deliveryStatusTool" BOOLEAN NOT NULL DEFAULT false;

