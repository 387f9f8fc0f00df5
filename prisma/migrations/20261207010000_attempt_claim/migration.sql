-- AlterTable
ALTER TABLE "SmsDelivery" ADD COLUMN "claimedUntil" DATETIME;
