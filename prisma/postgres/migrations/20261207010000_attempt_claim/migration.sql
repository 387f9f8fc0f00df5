-- AlterTable
ALTER TABLE "SmsDelivery" ADD COLUMN     "claimedUntil" TIMESTAMP(3);
