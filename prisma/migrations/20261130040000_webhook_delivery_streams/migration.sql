-- Webhook delivery queue (see src/webhooks/delivery-queue.ts).
-- A stream is one ordered queue: (directory, endpoint), where endpoint NULL is the global endpoint from
-- config (WEBHOOK_URL). Workers lease whole streams with FOR UPDATE SKIP LOCKED, so order within a stream
-- holds while different streams are delivered in parallel by any number of instances.

CREATE TABLE "webhook_streams" (
    "id" BIGSERIAL NOT NULL,
    "directory_id" UUID NOT NULL REFERENCES "directories"("id") ON DELETE CASCADE,
    "endpoint_id" UUID REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE,
    -- when the stream's head delivery is due; NULL when nothing is waiting
    "ready_at" TIMESTAMPTZ(3),
    "lease_until" TIMESTAMPTZ(3),
    "lease_token" UUID,
    CONSTRAINT "webhook_streams_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "webhook_streams_directory_id_endpoint_id_key" ON "webhook_streams"("directory_id", "endpoint_id") NULLS NOT DISTINCT;
CREATE INDEX "webhook_streams_ready_at_idx" ON "webhook_streams"("ready_at") WHERE "ready_at" IS NOT NULL;
CREATE INDEX "webhook_streams_endpoint_id_idx" ON "webhook_streams"("endpoint_id");

-- endpoint_id NULL = the global endpoint; event_txid orders a stream like the events API does.
ALTER TABLE "webhook_deliveries" ALTER COLUMN "endpoint_id" DROP NOT NULL;
ALTER TABLE "webhook_deliveries" ADD COLUMN "stream_id" BIGINT NOT NULL REFERENCES "webhook_streams"("id") ON DELETE CASCADE;
ALTER TABLE "webhook_deliveries" ADD COLUMN "event_txid" xid8 NOT NULL;
-- bumped by a replay, so a replayed message gets a new webhook-id (receivers dedupe on it)
ALTER TABLE "webhook_deliveries" ADD COLUMN "generation" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "webhook_deliveries" ADD COLUMN "delivered_at" TIMESTAMPTZ(3);
DROP INDEX "webhook_deliveries_endpoint_id_event_id_key";
CREATE UNIQUE INDEX "webhook_deliveries_endpoint_id_event_id_key" ON "webhook_deliveries"("endpoint_id", "event_id") NULLS NOT DISTINCT;
DROP INDEX "webhook_deliveries_status_next_attempt_at_idx";
-- the head of each stream: its first open delivery in event order
CREATE INDEX "webhook_deliveries_open_stream_idx" ON "webhook_deliveries"("stream_id", "event_txid", "event_id") WHERE "status" IN ('pending', 'failed');
-- retention: events with open deliveries are kept
CREATE INDEX "webhook_deliveries_open_event_idx" ON "webhook_deliveries"("event_id") WHERE "status" IN ('pending', 'failed');
CREATE INDEX "webhook_deliveries_created_at_idx" ON "webhook_deliveries"("created_at");
CREATE INDEX "webhook_deliveries_stream_id_idx" ON "webhook_deliveries"("stream_id");

-- Where fan-out (events -> deliveries) has got to in event order (txid, id). One row; the dispatching
-- instance holds it FOR UPDATE, others skip it.
CREATE TABLE "webhook_dispatch_state" (
    "id" INTEGER NOT NULL CHECK ("id" = 1),
    "last_txid" xid8 NOT NULL,
    "last_event_id" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhook_dispatch_state_pkey" PRIMARY KEY ("id")
);
INSERT INTO "webhook_dispatch_state" ("id", "last_txid", "last_event_id") VALUES (1, '0', 0);
