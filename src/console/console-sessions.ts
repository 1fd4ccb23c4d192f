import { createHash, randomBytes } from "node:crypto";
import type { Database } from "../db/database.js";

// Operator console sessions, for whichever HTTP layer signs an operator in. A session is a random token
// (the cookie) whose SHA-256 is the row id, a CSRF token for its forms, and the digest of the admin API
// key that opened it. Sessions slide: each use moves the expiry `idleMinutes` ahead, never past
// MAX_SESSION_HOURS after sign-in. Signing in always creates a new session (no fixation).

const MAX_SESSION_HOURS = 12;
/** Sliding the expiry is a write: done at most once a minute per session. */
const TOUCH_INTERVAL_MS = 60_000;

export interface ConsoleSession {
  id: string;
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface OpenedConsoleSession extends ConsoleSession {
  /** The cookie value: shown to the browser once, never stored. */
  token: string;
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

function slidExpiry(createdAt: Date, now: Date, idleMinutes: number): Date {
  const cap = createdAt.getTime() + MAX_SESSION_HOURS * 3_600_000;
  return new Date(Math.min(now.getTime() + idleMinutes * 60_000, cap));
}

/**
 * A new session for an operator who presented a valid admin API key (`adminKey`). Expired sessions are
 * removed here, at sign-in, rather than by a background job: a replica that serves only SCIM never loads
 * Prisma (bench/README.md, RSS).
 */
export async function openConsoleSession(db: Database, adminKey: string, idleMinutes: number): Promise<OpenedConsoleSession> {
  const token = randomToken();
  const now = new Date();
  await db.prisma.consoleSession.deleteMany({ where: { expiresAt: { lte: now } } });
  const row = await db.prisma.consoleSession.create({
    data: {
      id: sha256Hex(token),
      csrfToken: randomToken(),
      keyDigest: sha256Hex(adminKey),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: slidExpiry(now, now, idleMinutes),
    },
  });
  return { token, id: row.id, csrfToken: row.csrfToken, createdAt: row.createdAt, expiresAt: row.expiresAt };
}

/**
 * The live session a cookie token names, or undefined: unknown, expired, or opened with an admin key that
 * is no longer configured (`adminKeys`). A live session's expiry slides forward.
 */
export async function findConsoleSession(
  db: Database,
  token: string,
  adminKeys: readonly string[],
  idleMinutes: number,
): Promise<ConsoleSession | undefined> {
  const now = new Date();
  const row = await db.prisma.consoleSession.findUnique({ where: { id: sha256Hex(token) } });
  if (!row || row.expiresAt <= now) return undefined;
  if (!adminKeys.some((key) => sha256Hex(key) === row.keyDigest)) return undefined;
  let expiresAt = row.expiresAt;
  if (now.getTime() - row.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
    expiresAt = slidExpiry(row.createdAt, now, idleMinutes);
    await db.prisma.consoleSession.update({ where: { id: row.id }, data: { lastSeenAt: now, expiresAt } });
  }
  return { id: row.id, csrfToken: row.csrfToken, createdAt: row.createdAt, expiresAt };
}

/** Signs out: the session row goes, so the cookie is worthless even if it was copied. */
export async function closeConsoleSession(db: Database, sessionId: string): Promise<void> {
  await db.prisma.consoleSession.deleteMany({ where: { id: sessionId } });
}
