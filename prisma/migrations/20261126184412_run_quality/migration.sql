-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Run" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "graph" TEXT NOT NULL,
    "settings" TEXT NOT NULL,
    "backend" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "message" TEXT,
    "iteration" INTEGER NOT NULL DEFAULT 0,
    "itPerSec" REAL,
    "seconds" REAL NOT NULL DEFAULT 0,
    "series" TEXT NOT NULL DEFAULT '[]',
    "pointCount" INTEGER NOT NULL DEFAULT 0,
    "resumedFrom" TEXT,
    "startIteration" INTEGER NOT NULL DEFAULT 0,
    "scores" TEXT,
    "scoreNote" TEXT,
    "diagnoses" TEXT NOT NULL DEFAULT '[]',
    "heartbeatAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Run_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Run" ("backend", "createdAt", "graph", "heartbeatAt", "id", "itPerSec", "iteration", "message", "number", "pointCount", "projectId", "resumedFrom", "seconds", "series", "settings", "startIteration", "status", "updatedAt") SELECT "backend", "createdAt", "graph", "heartbeatAt", "id", "itPerSec", "iteration", "message", "number", "pointCount", "projectId", "resumedFrom", "seconds", "series", "settings", "startIteration", "status", "updatedAt" FROM "Run";
DROP TABLE "Run";
ALTER TABLE "new_Run" RENAME TO "Run";
CREATE UNIQUE INDEX "Run_projectId_number_key" ON "Run"("projectId", "number");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
