-- CreateIndex
CREATE INDEX "SmsDelivery_userId_callId_createdAt_idx" ON "SmsDelivery"("userId", "callId", "createdAt");

