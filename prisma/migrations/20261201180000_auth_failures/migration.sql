-- Failed authentications (admin API and SCIM) per IP and per directory, in fixed one-minute windows, shared
-- by every replica so AUTH_FAILURE_LIMIT_PER_MINUTE holds for the whole deployment, not per process
-- (src/auth-failures/auth-failure-store.ts). Only failures write here; a valid credential never does.
-- UNLOGGED: not WAL-logged or replicated, and emptied after a crash, which only reopens the windows.

CREATE UNLOGGED TABLE "auth_failures" (
    "key" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "reset_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "auth_failures_pkey" PRIMARY KEY ("key")
);
