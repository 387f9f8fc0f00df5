-- AlterTable
ALTER TABLE "SmsDelivery" ADD COLUMN "requestedTo" TEXT;

-- CreateTable
CREATE TABLE "UsageCounter" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "count" INTEGER NOT NULL DEFAULT 0,
    "expiresAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "UsageCounter_expiresAt_idx" ON "UsageCounter"("expiresAt");

