-- AlterTable
ALTER TABLE "User" ADD COLUMN "recipientTextsPerDay" INTEGER;
ALTER TABLE "User" ADD COLUMN "recipientTextsPerHour" INTEGER;
ALTER TABLE "User" ADD COLUMN "textsPerDay" INTEGER;
ALTER TABLE "User" ADD COLUMN "textsPerMinute" INTEGER;

-- AlterTable
ALTER TABLE "SmsDelivery" ADD COLUMN "bodyLength" INTEGER;

