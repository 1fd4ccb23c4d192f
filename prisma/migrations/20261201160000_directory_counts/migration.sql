-- Per-directory counts of users and groups, maintained by the same statement as each SCIM create and
-- delete (src/directories/directory-counts-store.ts), so an unfiltered SCIM list answers totalResults
-- without counting the directory. A directory's count is the sum of its rows: writers pick a row by
-- their backend (shard 0-15), so concurrent creates in one directory do not queue on one row lock.

CREATE TABLE "directory_counts" (
    "directory_id" UUID NOT NULL,
    "shard" SMALLINT NOT NULL,
    "users" INTEGER NOT NULL DEFAULT 0,
    "groups" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "directory_counts_pkey" PRIMARY KEY ("directory_id", "shard"),
    CONSTRAINT "directory_counts_directory_id_fkey" FOREIGN KEY ("directory_id") REFERENCES "directories"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- backfill: existing directories' counts in shard 0
INSERT INTO "directory_counts" ("directory_id", "shard", "users", "groups")
SELECT d."id", 0,
       (SELECT count(*) FROM "scim_users" u WHERE u."directory_id" = d."id")::int,
       (SELECT count(*) FROM "scim_groups" g WHERE g."directory_id" = d."id")::int
FROM "directories" d;
