import type { Prisma } from "../generated/prisma/client.js";

// Token revocation and directory disable/enable/delete reach every replica through Postgres NOTIFY on this
// channel (auth-change-listener.ts evicts the verification cache). The notification is sent in the same
// transaction as the change, so Postgres delivers it at commit, and only if the change committed.

export const AUTH_CHANGE_CHANNEL = "scimbridge_auth";

/** What changed: every cached verification of the directory, or of the token, is stale. */
export interface AuthChange {
  directoryId?: string;
  tokenId?: string;
}

/** pg_notify in the caller's transaction: transaction-scoped, so it is safe on a pooled connection too. */
export async function notifyAuthChange(tx: Pick<Prisma.TransactionClient, "$executeRaw">, change: AuthChange): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${AUTH_CHANGE_CHANNEL}, ${JSON.stringify(change)})`;
}

/**
 * A directory's attribute mapping changed (no directoryId: the app's declared attributes, so every
 * directory's): every replica drops its cached mapping (attribute-mapping-cache.ts). Same channel, its
 * own `kind`; an older replica reads it as a token change of that directory, which only costs a re-check.
 */
export interface AttributeMappingChange {
  kind: "attributes";
  directoryId?: string;
}

export async function notifyAttributeMappingChange(tx: Pick<Prisma.TransactionClient, "$executeRaw">, directoryId?: string): Promise<void> {
  const change: AttributeMappingChange = { kind: "attributes", ...(directoryId ? { directoryId } : {}) };
  await tx.$executeRaw`SELECT pg_notify(${AUTH_CHANGE_CHANNEL}, ${JSON.stringify(change)})`;
}

function payloadObject(payload: string | undefined): Record<string, unknown> | null {
  try {
    const value = JSON.parse(payload ?? "") as unknown;
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** An attribute mapping change, or null when the payload is about tokens. */
export function parseAttributeMappingChange(payload: string | undefined): AttributeMappingChange | null {
  const value = payloadObject(payload);
  if (value?.kind !== "attributes") return null;
  return { kind: "attributes", ...(typeof value.directoryId === "string" ? { directoryId: value.directoryId } : {}) };
}

/** The payload of a notification, or null when it is not one this version understands (then evict everything). */
export function parseAuthChange(payload: string | undefined): AuthChange | null {
  try {
    const value = JSON.parse(payload ?? "") as unknown;
    if (typeof value !== "object" || value === null) return null;
    const { directoryId, tokenId } = value as Record<string, unknown>;
    const change: AuthChange = {};
    if (typeof directoryId === "string") change.directoryId = directoryId;
    if (typeof tokenId === "string") change.tokenId = tokenId;
    return change.directoryId || change.tokenId ? change : null;
  } catch {
    return null;
  }
}
