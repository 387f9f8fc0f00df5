-- AlterTable
ALTER TABLE "User" ADD COLUMN     "recipientTextsPerDay" INTEGER,
ADD COLUMN     "recipientTextsPerHour" INTEGER,
ADD COLUMN     "textsPerDay" INTEGER,
ADD COLUMN     "textsPerMinute" INTEGER;

-- AlterTable
ALTER TABLE "SmsDelivery" ADD COLUMN     "bodyLength" INTEGER;

