import type { Database } from "../db/database.js";
import { assertDirectoryExists } from "../directories/directory-service.js";
import { type EventPage, type EventQuery, readEvents } from "./event-store.js";

// The events API's reads: the change log a SaaS app pulls with a cursor (docs/events.md).

/** A page of the event log, all directories or one (then DirectoryNotFound when it does not exist). */
export async function eventPage(db: Database, query: EventQuery): Promise<EventPage> {
  if (query.directoryId !== undefined) await assertDirectoryExists(db, query.directoryId);
  return readEvents(db, query);
}
