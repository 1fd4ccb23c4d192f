// Opaque keyset cursors for the admin API and the events API: base64url(JSON).

export class InvalidCursor extends Error {}

export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position), "utf8").toString("base64url");
}

/** Decodes a cursor and checks it has exactly the expected string/number keys. */
export function decodeCursor<K extends string>(cursor: string, keys: readonly K[]): Record<K, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new InvalidCursor("cursor is not valid");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new InvalidCursor("cursor is not valid");
  const out = {} as Record<K, string>;
  for (const key of keys) {
    const v = (parsed as Record<string, unknown>)[key];
    if (typeof v !== "string" && typeof v !== "number") throw new InvalidCursor("cursor is not valid");
    out[key] = String(v);
  }
  return out;
}
