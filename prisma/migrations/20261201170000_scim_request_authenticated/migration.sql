-- Whether a logged SCIM request carried a valid Secret Token. Only authenticated requests are what the
-- identity provider did: the setup page's status and errors and the directory stats read those alone,
-- and count the rest (anyone who knows a Tenant URL can send them) as noise.

ALTER TABLE "scim_requests" ADD COLUMN "authenticated" BOOLEAN NOT NULL DEFAULT false;

-- backfill: rows logged before this column existed; a 401 or 429 was refused before or at authentication
UPDATE "scim_requests" SET "authenticated" = true WHERE "status" NOT IN (401, 429);
