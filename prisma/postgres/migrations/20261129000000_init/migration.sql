-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "SmsProvider" AS ENUM ('TWILIO', 'ATLAS');

-- CreateEnum
CREATE TYPE "RecipientPolicy" AS ENUM ('CALLER_ONLY', 'ANY');

-- CreateEnum
CREATE TYPE "ApiKeyRole" AS ENUM ('OWNER', 'AGENT', 'MONITOR');

-- CreateEnum
CREATE TYPE "SmsDeliveryStatus" AS ENUM ('PENDING', 'QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'UNDELIVERED', 'FAILED', 'REJECTED');

-- CreateEnum
CREATE TYPE "SmsEncoding" AS ENUM ('GSM7', 'UCS2');

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "enabledProviders" TEXT NOT NULL DEFAULT 'ATLAS',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "ApiKeyRole" NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TwilioAccount" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "accountSid" TEXT NOT NULL,
    "authTokenEnc" TEXT NOT NULL,
    "verifiedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TwilioAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SmsAction" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "liveName" TEXT,
    "description" TEXT NOT NULL,
    "provider" "SmsProvider" NOT NULL,
    "fromNumber" TEXT,
    "recipientPolicy" "RecipientPolicy" NOT NULL DEFAULT 'ANY',
    "messageTemplate" TEXT,
    "maxPerCall" INTEGER NOT NULL DEFAULT 3,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "deletedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SmsAction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CampaignSmsAction" (
    "campaignId" TEXT NOT NULL,
    "smsActionId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CampaignSmsAction_pkey" PRIMARY KEY ("campaignId","smsActionId")
);

-- CreateTable
CREATE TABLE "SmsDelivery" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "smsActionId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "callId" TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "fromNumber" TEXT,
    "body" TEXT NOT NULL,
    "provider" "SmsProvider" NOT NULL,
    "status" "SmsDeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "providerMessageId" TEXT,
    "segments" INTEGER NOT NULL,
    "encoding" "SmsEncoding" NOT NULL,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "sandbox" BOOLEAN NOT NULL DEFAULT false,
    "idempotencyKey" TEXT,
    "requestHash" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SmsDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SmsDeliveryEvent" (
    "id" TEXT NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "status" "SmsDeliveryStatus" NOT NULL,
    "errorCode" TEXT,
    "source" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SmsDeliveryEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OptOut" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "sender" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OptOut_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TwilioAccount" ADD CONSTRAINT "TwilioAccount_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SmsAction" ADD CONSTRAINT "SmsAction_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Campaign" ADD CONSTRAINT "Campaign_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CampaignSmsAction" ADD CONSTRAINT "CampaignSmsAction_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CampaignSmsAction" ADD CONSTRAINT "CampaignSmsAction_smsActionId_fkey" FOREIGN KEY ("smsActionId") REFERENCES "SmsAction"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SmsDelivery" ADD CONSTRAINT "SmsDelivery_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SmsDelivery" ADD CONSTRAINT "SmsDelivery_smsActionId_fkey" FOREIGN KEY ("smsActionId") REFERENCES "SmsAction"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SmsDelivery" ADD CONSTRAINT "SmsDelivery_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SmsDeliveryEvent" ADD CONSTRAINT "SmsDeliveryEvent_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "SmsDelivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OptOut" ADD CONSTRAINT "OptOut_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

