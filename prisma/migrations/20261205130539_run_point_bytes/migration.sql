-- AlterTable (a column added in place: redefining "Run" would drop it, and its metrics with it, inside the migration's transaction)
ALTER TABLE "Run" ADD COLUMN "pointBytes" INTEGER NOT NULL DEFAULT 0;
-- Runs stored before this column: the bytes their points already hold (as the data layer counts them, UTF-8).
UPDATE "Run" SET "pointBytes" = (SELECT COALESCE(SUM(LENGTH(CAST("points" AS BLOB))), 0) FROM "RunMetrics" WHERE "RunMetrics"."runId" = "Run"."id");
