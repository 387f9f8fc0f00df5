-- CreateTable
CREATE TABLE "DuplicateSend" (
    "providerMessageId" TEXT NOT NULL PRIMARY KEY,
    "deliveryId" TEXT NOT NULL,
    "detectedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DuplicateSend_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "SmsDelivery" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "DuplicateSend_deliveryId_idx" ON "DuplicateSend"("deliveryId");

