-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_SmsAction" (
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
    "requiresConsent" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "deletedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "SmsAction_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_SmsAction" ("createdAt", "deletedAt", "description", "enabled", "fromNumber", "id", "liveName", "maxPerCall", "messageTemplate", "name", "provider", "recipientPolicy", "updatedAt", "userId") SELECT "createdAt", "deletedAt", "description", "enabled", "fromNumber", "id", "liveName", "maxPerCall", "messageTemplate", "name", "provider", "recipientPolicy", "updatedAt", "userId" FROM "SmsAction";
DROP TABLE "SmsAction";
ALTER TABLE "new_SmsAction" RENAME TO "SmsAction";
CREATE INDEX "SmsAction_userId_deletedAt_idx" ON "SmsAction"("userId", "deletedAt");
CREATE UNIQUE INDEX "SmsAction_userId_liveName_key" ON "SmsAction"("userId", "liveName");
CREATE TABLE "new_Campaign" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "deliveryStatusTool" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Campaign_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Campaign" ("createdAt", "id", "name", "updatedAt", "userId") SELECT "createdAt", "id", "name", "updatedAt", "userId" FROM "Campaign";
DROP TABLE "Campaign";
ALTER TABLE "new_Campaign" RENAME TO "Campaign";
CREATE INDEX "Campaign_userId_idx" ON "Campaign"("userId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

