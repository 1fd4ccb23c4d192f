import type { Config } from "../config.js";
import type { Database } from "../db/database.js";
import { assertDirectoryExists } from "../directories/directory-service.js";
import { enabledWebhookEndpointId } from "../directories/directory-webhook.js";
import { eventPosition } from "../events/event-store.js";
import {
  type DeliveryRow,
  type DeliveryStatus,
  findDeliveryRow,
  listDeliveryAttempts,
  listDeliveryRows,
  lockDelivery,
  queueReplay,
  reopenDelivery,
} from "./delivery-store.js";
import { lockStreamOfDelivery, makeStreamDue, openStreamNow } from "./stream-store.js";

// The delivery log the admin API shows, manual retry, and replay of history to a directory's endpoint.

export type { DeliveryStatus } from "./delivery-store.js";
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ["pending", "failed", "succeeded", "dead"];

export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string | null;
  endpoint: { id: string | null; global: boolean; url: string | null };
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  /** when a pending or failed delivery is next tried; null once finished */
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  /** when the newest attempt started; null before the first */
  lastAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export class DeliveryNotFound extends Error {}
export class DeliveryNotRetryable extends Error {}
export class NoWebhookEndpoint extends Error {}
export class ReplayEventNotFound extends Error {}

function view(row: DeliveryRow, config: Config): DeliveryView {
  const open = row.status === "pending" || row.status === "failed";
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    endpoint: row.endpoint_id
      ? { id: row.endpoint_id, global: false, url: row.url }
      : { id: null, global: true, url: config.webhooks.globalUrl ?? null },
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    nextAttemptAt: open ? row.next_attempt_at : null,
    deliveredAt: row.delivered_at,
    lastAttemptAt: row.last_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Newest first; `before` is the id of the last delivery of the previous page. Throws DirectoryNotFound. */
export async function listDeliveries(
  db: Database,
  config: Config,
  directoryId: string,
  query: { status?: DeliveryStatus; before?: string; limit: number },
): Promise<{ deliveries: DeliveryView[]; more: boolean }> {
  await assertDirectoryExists(db, directoryId);
  const rows = await listDeliveryRows(db, directoryId, { ...query, limit: query.limit + 1 });
  return { deliveries: rows.slice(0, query.limit).map((r) => view(r, config)), more: rows.length > query.limit };
}

/** One delivery of the directory. Throws DirectoryNotFound, then DeliveryNotFound (also for another directory's delivery). */
export async function findDelivery(db: Database, config: Config, directoryId: string, deliveryId: string): Promise<DeliveryView> {
  await assertDirectoryExists(db, directoryId);
  const row = /^\d{1,18}$/.test(deliveryId) ? await findDeliveryRow(db, deliveryId, directoryId) : undefined;
  if (!row) throw new DeliveryNotFound(deliveryId);
  return view(row, config);
}

export interface DeliveryAttempt {
  id: string;
  at: Date;
  /** what the delivery became after this attempt */
  outcome: "succeeded" | "failed" | "dead";
  statusCode: number | null;
  error: string | null;
}

/**
 * A page of a delivery's attempt history (found with findDelivery first), newest first; `before` is the id
 * of the last attempt of the previous page. Retries and replays add to the same history.
 */
export async function deliveryAttempts(
  db: Database,
  deliveryId: string,
  query: { before?: string; limit: number },
): Promise<{ attempts: DeliveryAttempt[]; more: boolean }> {
  const rows = await listDeliveryAttempts(db, deliveryId, { ...query, limit: query.limit + 1 });
  return {
    attempts: rows
      .slice(0, query.limit)
      .map((r) => ({ id: r.id, at: r.at, outcome: r.outcome, statusCode: r.status_code, error: r.error })),
    more: rows.length > query.limit,
  };
}

/** A failed or dead delivery becomes pending now, with a fresh retry schedule. */
export async function retryDelivery(db: Database, config: Config, deliveryId: string): Promise<DeliveryView> {
  const row = await db.transaction(async (tx) => {
    // stream row first, then the delivery: the same lock order as the worker recording results
    if (!(await lockStreamOfDelivery(tx, deliveryId))) throw new DeliveryNotFound(deliveryId);
    const found = await lockDelivery(tx, deliveryId);
    if (!found) throw new DeliveryNotFound(deliveryId);
    if (found.status !== "failed" && found.status !== "dead") {
      throw new DeliveryNotRetryable(`delivery is ${found.status}; only failed or dead deliveries can be retried`);
    }
    await reopenDelivery(tx, deliveryId);
    await makeStreamDue(tx, found.streamId);
    return (await findDeliveryRow(tx, deliveryId))!;
  });
  return view(row, config);
}

/**
 * Queues every event of the directory from `fromEventId` on (in event order, readable events only) for
 * the directory's endpoint again. Already delivered or dead deliveries are reopened under a new webhook-id;
 * open ones are left alone. Returns how many deliveries were queued. Throws DirectoryNotFound first.
 */
export async function replayToEndpoint(db: Database, directoryId: string, fromEventId: string): Promise<number> {
  await assertDirectoryExists(db, directoryId);
  const endpointId = await enabledWebhookEndpointId(db.prisma, directoryId);
  if (!endpointId) throw new NoWebhookEndpoint(directoryId);
  const from = await eventPosition(db, directoryId, fromEventId);
  if (!from) throw new ReplayEventNotFound(fromEventId);
  return db.transaction(async (tx) => {
    const streamId = await openStreamNow(tx, directoryId, endpointId);
    return queueReplay(tx, { streamId, directoryId, endpointId }, from);
  });
}
