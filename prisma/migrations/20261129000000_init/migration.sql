-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "enabledProviders" TEXT NOT NULL DEFAULT 'ATLAS',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" DATETIME,
    "lastUsedAt" DATETIME,
    CONSTRAINT "ApiKey_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TwilioAccount" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "accountSid" TEXT NOT NULL,
    "authTokenEnc" TEXT NOT NULL,
    "verifiedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "TwilioAccount_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SmsAction" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "liveName" TEXT,
    "description" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "fromNumber" TEXT,
    "recipientPolicy" TEXT NOT NULL DEFAULT 'ANY',
    "messageTemplate" TEXT,
    "maxPerCall" INTEGER NOT NULL DEFAULT 3,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "deletedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "SmsAction_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Campaign_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CampaignSmsAction" (
    "campaignId" TEXT NOT NULL,
    "smsActionId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("campaignId", "smsActionId"),
    CONSTRAINT "CampaignSmsAction_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "CampaignSmsAction_smsActionId_fkey" FOREIGN KEY ("smsActionId") REFERENCES "SmsAction" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SmsDelivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "smsActionId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "callId" TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "fromNumber" TEXT,
    "body" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "providerMessageId" TEXT,
    "segments" INTEGER NOT NULL,
    "encoding" TEXT NOT NULL,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "sandbox" BOOLEAN NOT NULL DEFAULT false,
    "idempotencyKey" TEXT,
    "requestHash" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "SmsDelivery_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SmsDelivery_smsActionId_fkey" FOREIGN KEY ("smsActionId") REFERENCES "SmsAction" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "SmsDelivery_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SmsDeliveryEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "deliveryId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "errorCode" TEXT,
    "source" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SmsDeliveryEvent_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "SmsDelivery" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OptOut" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "sender" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "OptOut_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "ApiKey_userId_idx" ON "ApiKey"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "TwilioAccount_userId_key" ON "TwilioAccount"("userId");

-- CreateIndex
CREATE INDEX "SmsAction_userId_deletedAt_idx" ON "SmsAction"("userId", "deletedAt");

-- CreateIndex
CREATE UNIQUE INDEX "SmsAction_userId_liveName_key" ON "SmsAction"("userId", "liveName");

-- CreateIndex
CREATE INDEX "Campaign_userId_idx" ON "Campaign"("userId");

-- CreateIndex
CREATE INDEX "CampaignSmsAction_smsActionId_idx" ON "CampaignSmsAction"("smsActionId");

-- CreateIndex
CREATE UNIQUE INDEX "SmsDelivery_providerMessageId_key" ON "SmsDelivery"("providerMessageId");

-- CreateIndex
CREATE INDEX "SmsDelivery_userId_createdAt_idx" ON "SmsDelivery"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "SmsDelivery_campaignId_createdAt_idx" ON "SmsDelivery"("campaignId", "createdAt");

-- CreateIndex
CREATE INDEX "SmsDelivery_smsActionId_callId_idx" ON "SmsDelivery"("smsActionId", "callId");

-- CreateIndex
CREATE INDEX "SmsDelivery_status_updatedAt_idx" ON "SmsDelivery"("status", "updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "SmsDelivery_userId_callId_idempotencyKey_key" ON "SmsDelivery"("userId", "callId", "idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "SmsDeliveryEvent_deliveryId_status_key" ON "SmsDeliveryEvent"("deliveryId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "OptOut_userId_sender_phone_key" ON "OptOut"("userId", "sender", "phone");

