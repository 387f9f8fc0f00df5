-- CreateTable
CREATE TABLE "DuplicateSend" (
    "providerMessageId" TEXT NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "detectedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DuplicateSend_pkey" PRIMARY KEY ("providerMessageId")
);

-- CreateIndex
CREATE INDEX "DuplicateSend_deliveryId_idx" ON "DuplicateSend"("deliveryId");

-- AddForeignKey
ALTER TABLE "DuplicateSend" ADD CONSTRAINT "DuplicateSend_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "SmsDelivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;

