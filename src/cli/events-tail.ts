import { eventSubject, rolesText, type Subject } from "../events/event-subject.js";
import { decodeEventCursor, encodeEventCursor, type EventPosition } from "../events/event-position.js";
import { eventPage } from "../events/event-service.js";
import { InvalidCursor } from "../pagination/cursor.js";
import { type CommandContext, directoryIdOf, type Options, optional, UsageError } from "./command-context.js";

// `scimbridge events tail`: follows the events cursor (the same gap-free reads as GET /api/v1/events) and
// prints each event once as it becomes readable, until Ctrl-C; then prints the cursor to resume from.

const IDLE_POLL_MS = 500;
const PAGE = 100;

function afterOf(options: Options): EventPosition | undefined {
  const raw = optional(options, "after");
  if (raw === undefined) return undefined;
  try {
    return decodeEventCursor(raw);
  } catch (err) {
    if (err instanceof InvalidCursor) throw new UsageError("--after is not a cursor from the events API or events tail");
    throw err;
  }
}

const nameOf = (s: Subject): string => s.name ?? s.id ?? "-";

/** What an event is about, on one line: the user or group; the member and group; the user and its roles, old → new. */
function summary(event: { type: string; data: unknown }): string {
  const about = eventSubject(event);
  switch (about.kind) {
    case "roles":
      return `${nameOf(about.user)}: ${rolesText(about.previousRoles)} → ${rolesText(about.roles)}`;
    case "membership":
      return `${nameOf(about.user)} ${about.change} ${nameOf(about.group)}`;
    case "group":
      return nameOf(about.group);
    case "user":
      return nameOf(about.user);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

export async function eventsTail(ctx: CommandContext, options: Options): Promise<void> {
  const directoryId = options.directory === undefined ? undefined : directoryIdOf(options);
  let after = afterOf(options);
  ctx.note("Following events (Ctrl-C to stop)…");
  while (!ctx.signal.aborted) {
    const page = await eventPage(ctx.db, { after, limit: PAGE, directoryId });
    for (const event of page.events) {
      ctx.out(
        options.json ? JSON.stringify(event) : [event.occurredAt, event.type, event.directoryId, event.id, summary(event)].join("\t"),
      );
    }
    after = page.last ?? after;
    if (page.events.length < PAGE) await pause(IDLE_POLL_MS, ctx.signal);
  }
  if (after) ctx.note(`Stopped. Resume with: scimbridge events tail --after ${encodeEventCursor(after)}`);
}
