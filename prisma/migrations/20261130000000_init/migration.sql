-- scimbridge initial schema. Mirrors prisma/schema.prisma.

CREATE TABLE "directories" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "tenant" TEXT,
    "product" TEXT,
    "provider" TEXT NOT NULL DEFAULT 'entra',
    "disabled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "directories_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "directories_tenant_product_idx" ON "directories"("tenant", "product");
CREATE INDEX "directories_created_at_id_idx" ON "directories"("created_at", "id");

CREATE TABLE "directory_tokens" (
    "id" UUID NOT NULL,
    "directory_id" UUID NOT NULL REFERENCES "directories"("id") ON DELETE CASCADE,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    CONSTRAINT "directory_tokens_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "directory_tokens_hash_key" ON "directory_tokens"("hash");
CREATE INDEX "directory_tokens_directory_id_idx" ON "directory_tokens"("directory_id");

CREATE TABLE "scim_users" (
    "id" UUID NOT NULL,
    "directory_id" UUID NOT NULL REFERENCES "directories"("id") ON DELETE CASCADE,
    "user_name" TEXT NOT NULL,
    "user_name_norm" TEXT NOT NULL,
    "external_id" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "display_name" TEXT,
    "given_name" TEXT,
    "family_name" TEXT,
    "email" TEXT,
    "resource" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "scim_users_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "scim_users_directory_id_user_name_norm_key" ON "scim_users"("directory_id", "user_name_norm");
CREATE INDEX "scim_users_directory_id_external_id_idx" ON "scim_users"("directory_id", "external_id");
CREATE INDEX "scim_users_directory_id_email_idx" ON "scim_users"("directory_id", "email");
CREATE INDEX "scim_users_directory_id_created_at_id_idx" ON "scim_users"("directory_id", "created_at", "id");

CREATE TABLE "scim_groups" (
    "id" UUID NOT NULL,
    "directory_id" UUID NOT NULL REFERENCES "directories"("id") ON DELETE CASCADE,
    "display_name" TEXT NOT NULL,
    "display_name_norm" TEXT NOT NULL,
    "external_id" TEXT,
    "resource" JSONB NOT NULL,
    "member_count" INTEGER NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "scim_groups_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "scim_groups_directory_id_display_name_norm_key" ON "scim_groups"("directory_id", "display_name_norm");
CREATE INDEX "scim_groups_directory_id_external_id_idx" ON "scim_groups"("directory_id", "external_id");
CREATE INDEX "scim_groups_directory_id_created_at_id_idx" ON "scim_groups"("directory_id", "created_at", "id");

CREATE TABLE "group_members" (
    "group_id" UUID NOT NULL REFERENCES "scim_groups"("id") ON DELETE CASCADE,
    "user_id" UUID NOT NULL REFERENCES "scim_users"("id") ON DELETE CASCADE,
    "directory_id" UUID NOT NULL REFERENCES "directories"("id") ON DELETE CASCADE,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "group_members_pkey" PRIMARY KEY ("group_id", "user_id")
);
CREATE INDEX "group_members_user_id_group_id_idx" ON "group_members"("user_id", "group_id");
CREATE INDEX "group_members_directory_id_idx" ON "group_members"("directory_id");

CREATE TABLE "events" (
    "id" BIGSERIAL NOT NULL,
    "txid" xid8 NOT NULL DEFAULT pg_current_xact_id(),
    "directory_id" UUID NOT NULL REFERENCES "directories"("id") ON DELETE CASCADE,
    "type" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "data" JSONB NOT NULL,
    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "events_directory_id_id_idx" ON "events"("directory_id", "id");
CREATE INDEX "events_txid_id_idx" ON "events"("txid", "id");
CREATE INDEX "events_directory_id_txid_id_idx" ON "events"("directory_id", "txid", "id");
CREATE INDEX "events_occurred_at_idx" ON "events"("occurred_at");

CREATE TABLE "webhook_endpoints" (
    "id" UUID NOT NULL,
    "directory_id" UUID NOT NULL REFERENCES "directories"("id") ON DELETE CASCADE,
    "url" TEXT NOT NULL,
    "secret_encrypted" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabled_at" TIMESTAMPTZ(3),
    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "webhook_endpoints_directory_id_idx" ON "webhook_endpoints"("directory_id");

CREATE TABLE "webhook_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "directory_id" UUID NOT NULL REFERENCES "directories"("id") ON DELETE CASCADE,
    "endpoint_id" UUID NOT NULL REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE,
    "event_id" BIGINT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lease_until" TIMESTAMPTZ(3),
    "last_status_code" INTEGER,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "webhook_deliveries_endpoint_id_event_id_key" ON "webhook_deliveries"("endpoint_id", "event_id");
CREATE INDEX "webhook_deliveries_directory_id_id_idx" ON "webhook_deliveries"("directory_id", "id");
CREATE INDEX "webhook_deliveries_status_next_attempt_at_idx" ON "webhook_deliveries"("status", "next_attempt_at");

CREATE TABLE "scim_requests" (
    "id" BIGSERIAL NOT NULL,
    "directory_id" UUID NOT NULL REFERENCES "directories"("id") ON DELETE CASCADE,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "query" TEXT,
    "status" INTEGER NOT NULL,
    "scim_type" TEXT,
    "detail" TEXT,
    "duration_ms" DOUBLE PRECISION NOT NULL,
    "client_request_id" TEXT,
    "body" TEXT,
    CONSTRAINT "scim_requests_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "scim_requests_directory_id_id_idx" ON "scim_requests"("directory_id", "id");
CREATE INDEX "scim_requests_at_idx" ON "scim_requests"("at");

CREATE TABLE "setup_links" (
    "id" UUID NOT NULL,
    "directory_id" UUID NOT NULL REFERENCES "directories"("id") ON DELETE CASCADE,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    CONSTRAINT "setup_links_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "setup_links_directory_id_idx" ON "setup_links"("directory_id");
