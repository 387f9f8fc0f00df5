-- DropIndex
DROP INDEX "SmsDelivery_userId_createdAt_idx";

-- DropIndex
DROP INDEX "SmsDelivery_campaignId_createdAt_idx";

-- AlterTable
ALTER TABLE "SmsDelivery" ADD COLUMN "deliveredAt" DATETIME;

-- CreateTable
CREATE TABLE "WebhookEndpoint" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "eventTypes" TEXT NOT NULL,
    "campaignId" TEXT,
    "description" TEXT,
    "secret" TEXT NOT NULL,
    "disabledAt" DATETIME,
    "disabledReason" TEXT,
    "failingSince" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "WebhookEndpoint_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "WebhookEndpoint_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WebhookMessage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "endpointId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "lockedUntil" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "finishedAt" DATETIME,
    CONSTRAINT "WebhookMessage_endpointId_fkey" FOREIGN KEY ("endpointId") REFERENCES "WebhookEndpoint" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "WebhookMessage_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "SmsDeliveryEvent" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "WebhookMessage_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "SmsDelivery" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WebhookAttempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "messageId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "statusCode" INTEGER,
    "latencyMs" INTEGER NOT NULL,
    "error" TEXT,
    CONSTRAINT "WebhookAttempt_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "WebhookMessage" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "WebhookEndpoint_userId_createdAt_idx" ON "WebhookEndpoint"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "WebhookMessage_status_nextAttemptAt_idx" ON "WebhookMessage"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "WebhookMessage_endpointId_createdAt_idx" ON "WebhookMessage"("endpointId", "createdAt");

-- CreateIndex
CREATE INDEX "WebhookMessage_eventId_idx" ON "WebhookMessage"("eventId");

-- CreateIndex
CREATE INDEX "WebhookAttempt_messageId_at_idx" ON "WebhookAttempt"("messageId", "at");

-- CreateIndex
CREATE INDEX "SmsDelivery_userId_stats_idx" ON "SmsDelivery"("userId", "createdAt", "status", "segments", "errorCode", "deliveredAt");

-- CreateIndex
CREATE INDEX "SmsDelivery_campaignId_stats_idx" ON "SmsDelivery"("campaignId", "createdAt", "status", "segments", "errorCode", "deliveredAt");

-- CreateIndex
CREATE INDEX "SmsDelivery_smsActionId_stats_idx" ON "SmsDelivery"("smsActionId", "createdAt", "status", "segments", "errorCode", "deliveredAt");

-- CreateIndex
CREATE INDEX "SmsDelivery_to_idx" ON "SmsDelivery"("to");

-- CreateIndex
CREATE INDEX "OptOut_userId_createdAt_idx" ON "OptOut"("userId", "createdAt");

