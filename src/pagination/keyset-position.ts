import { decodeCursor, encodeCursor, InvalidCursor } from "./cursor.js";

// The (created_at, id) keyset position used by the admin lists of directories, users and groups.
// Rows are ordered by creation time, then id, so pages stay stable while rows are inserted.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

export function encodeKeyset(position: { createdAt: Date | string; id: string }): string {
  return encodeCursor({ createdAt: new Date(position.createdAt).toISOString(), id: position.id });
}

/** Decodes and checks a cursor (a forged one is a 400, never a database error). */
export function decodeKeyset(cursor: string): KeysetPosition {
  const raw = decodeCursor(cursor, ["createdAt", "id"] as const);
  const createdAt = new Date(raw.createdAt);
  if (Number.isNaN(createdAt.getTime()) || !UUID.test(raw.id)) throw new InvalidCursor("cursor is not valid");
  return { createdAt, id: raw.id };
}

/** A cursor holding only an id (lists ordered by id, such as a group's members). */
export function encodeIdCursor(id: string): string {
  return encodeCursor({ id });
}

export function decodeIdCursor(cursor: string): string {
  const { id } = decodeCursor(cursor, ["id"] as const);
  if (!UUID.test(id)) throw new InvalidCursor("cursor is not valid");
  return id;
}

const BIGINT = /^\d{1,19}$/;
const MAX_BIGINT = 2n ** 63n - 1n;

/** A cursor holding a bigint row id under `key` (newest-first lists paged by id: request log, deliveries, events). */
export function encodeBigintCursor(key: string, id: string): string {
  return encodeCursor({ [key]: id });
}

export function decodeBigintCursor(key: string, cursor: string): string {
  const id = decodeCursor(cursor, [key] as const)[key];
  if (!BIGINT.test(id) || BigInt(id) > MAX_BIGINT) throw new InvalidCursor("cursor is not valid");
  return id;
}
