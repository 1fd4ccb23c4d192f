-- Roles from groups (issue 16): the app's declared roles, each directory's mapping of IdP groups to them,
-- and the roles each user holds (kept on the user row by every membership change: src/roles).
-- previousAttributes of user.updated / group.updated events (src/events/previous-attributes.ts).
-- New columns are nullable or have a constant default: no table rewrite.

CREATE TABLE "app_roles" (
    "name" TEXT NOT NULL,
    "description" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "app_roles_pkey" PRIMARY KEY ("name")
);

-- One row per directory that has a mapping; no row = no roles work on its write path.
CREATE TABLE "directory_role_mappings" (
    "directory_id" UUID NOT NULL REFERENCES "directories"("id") ON DELETE CASCADE,
    "default_role" TEXT REFERENCES "app_roles"("name") ON DELETE RESTRICT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "directory_role_mappings_pkey" PRIMARY KEY ("directory_id")
);

-- A rule matches a group by id or by lower(displayName), exactly one of the two.
CREATE TABLE "directory_role_rules" (
    "id" UUID NOT NULL,
    "directory_id" UUID NOT NULL REFERENCES "directory_role_mappings"("directory_id") ON DELETE CASCADE,
    "group_id" UUID,
    "display_name" TEXT,
    "display_name_norm" TEXT,
    "role" TEXT NOT NULL REFERENCES "app_roles"("name") ON DELETE RESTRICT,
    "priority" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    CONSTRAINT "directory_role_rules_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "directory_role_rules_one_match" CHECK (("group_id" IS NULL) <> ("display_name_norm" IS NULL))
);
CREATE INDEX "directory_role_rules_directory_id_idx" ON "directory_role_rules"("directory_id");
CREATE INDEX "directory_role_rules_role_idx" ON "directory_role_rules"("role");

ALTER TABLE "scim_users" ADD COLUMN "roles" TEXT[] NOT NULL DEFAULT '{}';

ALTER TABLE "events" ADD COLUMN "previous_attributes" JSONB;
