-- Attribute mapping (issue 16): the app declares its attributes once (app_attributes); each directory maps
-- them to SCIM paths (directory_attribute_mappings, else the provider's defaults); every SCIM write stores
-- the computed values on the user row (scim_users.attributes), so reads and events need no recomputation.

CREATE TABLE "app_attributes" (
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "required" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "app_attributes_pkey" PRIMARY KEY ("name")
);

CREATE TABLE "directory_attribute_mappings" (
    "directory_id" UUID NOT NULL,
    "attribute" TEXT NOT NULL,
    "scim_path" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "directory_attribute_mappings_pkey" PRIMARY KEY ("directory_id", "attribute")
);

CREATE INDEX "directory_attribute_mappings_attribute_idx" ON "directory_attribute_mappings"("attribute");

ALTER TABLE "directory_attribute_mappings" ADD CONSTRAINT "directory_attribute_mappings_directory_id_fkey"
    FOREIGN KEY ("directory_id") REFERENCES "directories"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "directory_attribute_mappings" ADD CONSTRAINT "directory_attribute_mappings_attribute_fkey"
    FOREIGN KEY ("attribute") REFERENCES "app_attributes"("name") ON DELETE CASCADE ON UPDATE CASCADE;

-- Values that could not be given their declared type, or required attributes with no value, per directory:
-- one row per (attribute, kind), counted by the SCIM write (or remap) that met them.
CREATE TABLE "attribute_mapping_warnings" (
    "directory_id" UUID NOT NULL,
    "attribute" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "scim_path" TEXT NOT NULL,
    "expected_type" TEXT NOT NULL,
    "example" TEXT,
    "count" BIGINT NOT NULL DEFAULT 0,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "attribute_mapping_warnings_pkey" PRIMARY KEY ("directory_id", "attribute", "kind")
);

ALTER TABLE "attribute_mapping_warnings" ADD CONSTRAINT "attribute_mapping_warnings_directory_id_fkey"
    FOREIGN KEY ("directory_id") REFERENCES "directories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The background recomputation of a directory's users after a mapping or declaration change: one row per
-- directory; `generation` grows with each change, so a batch of an older generation never commits.
CREATE TABLE "attribute_remap_jobs" (
    "directory_id" UUID NOT NULL,
    "generation" INTEGER NOT NULL DEFAULT 1,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "total" INTEGER NOT NULL DEFAULT 0,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "changed" INTEGER NOT NULL DEFAULT 0,
    "after_created_at" TIMESTAMPTZ(3),
    "after_id" UUID,
    "lease_until" TIMESTAMPTZ(3),
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "error" TEXT,
    CONSTRAINT "attribute_remap_jobs_pkey" PRIMARY KEY ("directory_id")
);

CREATE INDEX "attribute_remap_jobs_state_idx" ON "attribute_remap_jobs"("state");

ALTER TABLE "attribute_remap_jobs" ADD CONSTRAINT "attribute_remap_jobs_directory_id_fkey"
    FOREIGN KEY ("directory_id") REFERENCES "directories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "scim_users" ADD COLUMN "attributes" JSONB NOT NULL DEFAULT '{}';
