-- AlterTable
ALTER TABLE "SmsDelivery" ADD COLUMN "traceParent" TEXT;

