import { randomUUID } from "node:crypto";
import type { Config } from "../config.js";
import type { Database } from "../db/database.js";
import { notifyAuthChange } from "./auth-change.js";
import { findTokenByHash, stampTokenUsed } from "./directory-token-store.js";
import { generateSecretToken, hashSecretToken, looksLikeSecretToken, sameHash } from "./secret-token.js";

// Issuing, verifying and revoking a directory's SCIM secret tokens.

export interface IssuedToken {
  id: string;
  secretToken: string;
  createdAt: Date;
  expiresAt: Date | null;
}

export class TokenLimitReached extends Error {}

type TokenWriter = Pick<Database["prisma"], "directory" | "directoryToken">;

/**
 * Creates a token for a directory; fails with TokenLimitReached past config.maxTokensPerDirectory live tokens.
 * Every path that issues a token comes here (new directory, admin API, CLI, setup page). The limit holds under
 * concurrency because the directory row is locked before live tokens are counted, so issues for one directory
 * queue behind each other: run it inside a transaction (issueAdditionalToken opens one), where the lock lasts.
 * Returns null when the directory does not exist.
 */
export async function issueSecretToken(tx: TokenWriter, config: Config, directoryId: string): Promise<IssuedToken | null> {
  const now = new Date();
  // an UPDATE takes the directory row's lock (what SELECT … FOR UPDATE would), held to the end of the transaction
  const locked = await tx.directory.updateMany({ where: { id: directoryId }, data: { updatedAt: now } });
  if (locked.count === 0) return null;
  const live = await tx.directoryToken.count({
    where: { directoryId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
  });
  if (live >= config.maxTokensPerDirectory) {
    throw new TokenLimitReached(`a directory may have at most ${config.maxTokensPerDirectory} live tokens; revoke one first`);
  }
  const issued = generateSecretToken();
  const expiresAt = config.tokenTtlDays > 0 ? new Date(now.getTime() + config.tokenTtlDays * 86400_000) : null;
  const row = await tx.directoryToken.create({
    data: { id: randomUUID(), directoryId, prefix: issued.displayPrefix, hash: issued.hash, expiresAt, createdAt: now },
  });
  return { id: row.id, secretToken: issued.token, createdAt: row.createdAt, expiresAt: row.expiresAt };
}

export interface AuthenticatedDirectory {
  directoryId: string;
  tokenId: string;
  provider: string;
  disabled: boolean;
}

interface CachedToken {
  auth: AuthenticatedDirectory;
  hash: string;
  expiresAt: number | null;
  cachedAt: number;
}

/**
 * Verifies SCIM bearer tokens. Results are cached briefly per process (CACHE_MS) so the hot SCIM path
 * does not query tokens on every request. A revocation or directory disable evicts at once in every process
 * (NOTIFY, auth-change-listener.ts); CACHE_MS bounds staleness while a process's listener is reconnecting.
 * lastUsedAt is written at most once a minute per token.
 */
export class SecretTokenVerifier {
  static readonly CACHE_MS = 5000;
  private cache = new Map<string, CachedToken>();
  private lastUsedWritten = new Map<string, number>();

  constructor(private readonly db: Database) {}

  async verify(directoryId: string, bearer: string): Promise<AuthenticatedDirectory | null> {
    if (!looksLikeSecretToken(bearer)) return null;
    const hash = hashSecretToken(bearer);
    const now = Date.now();
    let entry = this.cache.get(hash);
    if (!entry || now - entry.cachedAt > SecretTokenVerifier.CACHE_MS) {
      const row = await findTokenByHash(this.db, hash);
      if (!row || row.revokedAt) {
        this.cache.delete(hash);
        return null;
      }
      entry = {
        auth: {
          directoryId: row.directoryId,
          tokenId: row.id,
          provider: row.provider,
          disabled: row.disabledAt !== null,
        },
        hash: row.hash,
        expiresAt: row.expiresAt ? row.expiresAt.getTime() : null,
        cachedAt: now,
      };
      this.cache.set(hash, entry);
    }
    if (!sameHash(entry.hash, hash)) return null;
    if (entry.expiresAt !== null && entry.expiresAt <= now) return null;
    // the token must belong to the directory in the URL: a token of A never opens B
    if (entry.auth.directoryId !== directoryId) return null;
    this.touch(entry.auth.tokenId, now);
    return entry.auth;
  }

  /** Forget cached verifications (after revoking a token or disabling a directory). */
  evict(filter?: { directoryId?: string; tokenId?: string }): void {
    for (const [hash, entry] of this.cache) {
      if (!filter || entry.auth.directoryId === filter.directoryId || entry.auth.tokenId === filter.tokenId) {
        this.cache.delete(hash);
      }
    }
  }

  private touch(tokenId: string, now: number): void {
    const last = this.lastUsedWritten.get(tokenId) ?? 0;
    if (now - last < 60_000) return;
    this.lastUsedWritten.set(tokenId, now);
    stampTokenUsed(this.db, tokenId, new Date(now)).catch(() => this.lastUsedWritten.delete(tokenId));
  }
}

export class TokenNotFound extends Error {}

export interface TokenMetadata {
  id: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

type TokenStore = Pick<Database["prisma"], "$transaction">;

/** Issues an additional token (rotation, setup page) in its own transaction. Returns null when the directory does not exist. */
export async function issueAdditionalToken(db: Database, config: Config, directoryId: string): Promise<IssuedToken | null> {
  return db.prisma.$transaction((tx) => issueSecretToken(tx, config, directoryId));
}

export async function listTokens(db: Pick<Database, "prisma">, directoryId: string): Promise<TokenMetadata[]> {
  return db.prisma.directoryToken.findMany({
    where: { directoryId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, prefix: true, createdAt: true, lastUsedAt: true, expiresAt: true, revokedAt: true },
  });
}

/**
 * Marks a token revoked (idempotent). Throws TokenNotFound if it is not one of the directory's tokens.
 * Every replica forgets its cached verification at commit (NOTIFY in the same transaction, auth-change.ts).
 */
export async function revokeToken(db: { prisma: TokenStore }, directoryId: string, tokenId: string): Promise<void> {
  await db.prisma.$transaction(async (tx) => {
    const row = await tx.directoryToken.findFirst({ where: { id: tokenId, directoryId }, select: { revokedAt: true } });
    if (!row) throw new TokenNotFound("token not found");
    if (row.revokedAt) return;
    await tx.directoryToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() } });
    await notifyAuthChange(tx, { directoryId, tokenId });
  });
}

export interface TokenUse {
  /** When the newest live (unrevoked, unexpired) token was issued; null when the directory has none. */
  newestLiveCreatedAt: Date | null;
  /** Whether any of its tokens, live or not, was ever used (an IdP has authenticated at least once). */
  everUsed: boolean;
}

/** Token facts of many directories in two queries (the directory list). */
export async function tokenUseOf(
  db: Pick<Database, "prisma">,
  directoryIds: readonly string[],
  now = new Date(),
): Promise<Map<string, TokenUse>> {
  const ids = [...directoryIds];
  const [live, used] = await Promise.all([
    db.prisma.directoryToken.groupBy({
      by: ["directoryId"],
      where: { directoryId: { in: ids }, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      _max: { createdAt: true },
    }),
    db.prisma.directoryToken.groupBy({
      by: ["directoryId"],
      where: { directoryId: { in: ids }, lastUsedAt: { not: null } },
      _count: { _all: true },
    }),
  ]);
  const out = new Map<string, TokenUse>(ids.map((id) => [id, { newestLiveCreatedAt: null, everUsed: false }]));
  for (const r of live) out.get(r.directoryId)!.newestLiveCreatedAt = r._max.createdAt;
  for (const r of used) out.get(r.directoryId)!.everUsed = true;
  return out;
}
