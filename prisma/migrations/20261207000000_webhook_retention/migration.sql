-- CreateIndex
CREATE INDEX "WebhookMessage_status_finishedAt_idx" ON "WebhookMessage"("status", "finishedAt");
