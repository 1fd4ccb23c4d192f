-- The console's event history of one user (src/events/event-store.ts, readNewestEvents): user.* events carry
-- the user as `data`, membership events as `data.user`. The expression is EVENT_USER_ID, spelled the same
-- here and in the query so the planner can use this index; other events (group.created, ...) are left out.

CREATE INDEX "events_user_id_idx" ON "events" (
    "directory_id",
    (CASE WHEN "type" LIKE 'user.%' THEN "data"->>'id'
          WHEN "type" IN ('group.user_added', 'group.user_removed') THEN "data"->'user'->>'id' END),
    "id")
    WHERE (CASE WHEN "type" LIKE 'user.%' THEN "data"->>'id'
                WHEN "type" IN ('group.user_added', 'group.user_removed') THEN "data"->'user'->>'id' END) IS NOT NULL;
