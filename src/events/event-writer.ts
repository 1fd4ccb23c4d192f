import { Prisma } from "../generated/prisma/client.js";

// The outbox: every accepted change appends its events in the same transaction as the change itself.

export const EVENT_TYPES = [
  "user.created",
  "user.updated",
  "user.deactivated",
  "user.reactivated",
  "user.deleted",
  "group.created",
  "group.updated",
  "group.deleted",
  "group.user_added",
  "group.user_removed",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface NewEvent {
  type: EventType;
  directoryId: string;
  data: unknown;
}

type EventTx = Pick<Prisma.TransactionClient, "$executeRaw">;

/** Inserts events in one statement (500 membership events cost one round trip). */
export async function appendEvents(tx: EventTx, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => Prisma.sql`(${e.directoryId}::uuid, ${e.type}, ${JSON.stringify(e.data)}::jsonb)`);
  await tx.$executeRaw`INSERT INTO events (directory_id, type, data) VALUES ${Prisma.join(rows)}`;
}
