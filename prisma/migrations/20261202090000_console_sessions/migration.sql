-- Operator console sessions (src/console/console-sessions.ts). The cookie holds a random token; only its
-- SHA-256 is stored, so a database read does not give a usable session. `key_digest` is the SHA-256 of the
-- admin API key that signed in: a session ends when its key is removed from ADMIN_API_KEY.

CREATE TABLE "console_sessions" (
    "id" TEXT NOT NULL,
    "csrf_token" TEXT NOT NULL,
    "key_digest" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "console_sessions_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "console_sessions_expires_at_idx" ON "console_sessions"("expires_at");
