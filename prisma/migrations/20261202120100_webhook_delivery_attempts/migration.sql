-- The attempt history of a webhook delivery (the console's delivery page): one row per attempt, written in
-- the same statement that records the outcome on the delivery (src/webhooks/delivery-store.ts, recordOutcomes),
-- and gone with its delivery (retention deletes finished deliveries; a directory's deletion cascades).

CREATE TABLE "webhook_delivery_attempts" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" BIGINT NOT NULL REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- succeeded | failed | dead, as the delivery became after this attempt
    "outcome" TEXT NOT NULL,
    "status_code" INTEGER,
    "error" TEXT,
    CONSTRAINT "webhook_delivery_attempts_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "webhook_delivery_attempts_delivery_id_id_idx" ON "webhook_delivery_attempts"("delivery_id", "id");
