import type { Database } from "../db/database.js";
import { assertDirectoryExists } from "../directories/directory-service.js";
import { type EventPage, type EventQuery, type NewestEventQuery, readEvents, readNewestEvents } from "./event-store.js";
import type { EventJson } from "./event-json.js";

// The events API's reads: the change log a SaaS app pulls with a cursor (docs/events.md).

/** A page of the event log, all directories or one (then DirectoryNotFound when it does not exist). */
export async function eventPage(db: Database, query: EventQuery): Promise<EventPage> {
  if (query.directoryId !== undefined) await assertDirectoryExists(db, query.directoryId);
  return readEvents(db, query);
}

/** A directory's events newest first (the console's event list, live tail and a user's history). Throws DirectoryNotFound. */
export async function newestEvents(db: Database, query: NewestEventQuery): Promise<{ events: EventJson[]; more: boolean }> {
  await assertDirectoryExists(db, query.directoryId);
  return readNewestEvents(db, query);
}
