-- CreateTable
CREATE TABLE "Run" (
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
    "resumedFrom" TEXT,
    "heartbeatAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Run_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RunMetrics" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "runId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "points" TEXT NOT NULL,
    CONSTRAINT "RunMetrics_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RunPicture" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "runId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "step" INTEGER NOT NULL,
    "png" BLOB NOT NULL,
    CONSTRAINT "RunPicture_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Checkpoint" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "runId" TEXT NOT NULL,
    "iteration" INTEGER NOT NULL,
    "manifest" TEXT NOT NULL,
    "weights" BLOB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Checkpoint_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Run_projectId_number_key" ON "Run"("projectId", "number");

-- CreateIndex
CREATE UNIQUE INDEX "RunMetrics_runId_seq_key" ON "RunMetrics"("runId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "RunPicture_runId_kind_index_key" ON "RunPicture"("runId", "kind", "index");

-- CreateIndex
CREATE INDEX "Checkpoint_runId_iteration_idx" ON "Checkpoint"("runId", "iteration");
