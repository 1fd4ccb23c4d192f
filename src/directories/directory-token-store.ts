import type { SqlRunner } from "../db/database.js";
import { sql } from "../db/sql.js";

// The SCIM path's touches of the control plane: the token a bearer hashes to, with its directory, and the
// token's last-use stamp. They are data-plane SQL (SQL over pg, prepared once per connection) although directory_tokens is a Prisma model,
// because it runs on SCIM requests (on a cache miss) and Prisma's query compiler, loaded by a process's first
// Prisma query, costs ~100 MB of RSS that a process serving only SCIM never needs (bench/README.md, RSS).
// Every other token write (issue, revoke) stays with Prisma (directory-tokens.ts).

export interface VerifiableToken {
  id: string;
  directoryId: string;
  hash: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  provider: string;
  disabledAt: Date | null;
}

/** The token with this hash and its directory's provider and state; undefined when there is none. */
export async function findTokenByHash(db: SqlRunner, hash: string): Promise<VerifiableToken | undefined> {
  const rows = await db.query<VerifiableToken>(sql`
    SELECT t.id, t.directory_id AS "directoryId", t.hash, t.expires_at AS "expiresAt", t.revoked_at AS "revokedAt",
      d.provider, d.disabled_at AS "disabledAt"
    FROM directory_tokens t JOIN directories d ON d.id = t.directory_id
    WHERE t.hash = ${hash}`);
  return rows[0];
}

/** Stamps the token's last use (SecretTokenVerifier writes it at most once a minute per token). */
export async function stampTokenUsed(db: SqlRunner, tokenId: string, at: Date): Promise<void> {
  await db.execute(sql`UPDATE directory_tokens SET last_used_at = ${at} WHERE id = ${tokenId}::uuid`);
}
