import { decodeCursor, encodeCursor, InvalidCursor } from "../pagination/cursor.js";

// A place in the event log: events are ordered by (txid, id), see event-store.ts for why.

export interface EventPosition {
  /** xid8 of the writing transaction, as a decimal string */
  txid: string;
  /** events.id (bigint) as a decimal string */
  id: string;
}

const DECIMAL = /^\d{1,20}$/;

export function encodeEventCursor(position: EventPosition): string {
  return encodeCursor({ t: position.txid, i: position.id });
}

/** Throws InvalidCursor for anything that is not a cursor this service made. */
export function decodeEventCursor(cursor: string): EventPosition {
  const { t, i } = decodeCursor(cursor, ["t", "i"] as const);
  if (!DECIMAL.test(t) || !DECIMAL.test(i) || BigInt(t) > 2n ** 64n - 1n || BigInt(i) > 2n ** 63n - 1n) {
    throw new InvalidCursor("cursor is not valid");
  }
  return { txid: t, id: i };
}
