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

type Json = Record<string, unknown>;
const objectOf = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});

function nameOf(resource: Json): string {
  const name = resource.userName ?? resource.displayName ?? resource.id;
  return typeof name === "string" ? name : "-";
}

const rolesOf = (roles: unknown): string => (Array.isArray(roles) && roles.length > 0 ? roles.join(",") : "(none)");

/** What an event is about, on one line: the user or group; the member and group; the user and its roles, old → new. */
function summary(event: { type: string; data: unknown }): string {
  const data = objectOf(event.data);
  if (event.type === "user.roles_changed") return `${nameOf(objectOf(data.user))}: ${rolesOf(data.previousRoles)} → ${rolesOf(data.roles)}`;
  if (event.type === "group.user_added") return `${nameOf(objectOf(data.user))} added to ${nameOf(objectOf(data.group))}`;
  if (event.type === "group.user_removed") return `${nameOf(objectOf(data.user))} removed from ${nameOf(objectOf(data.group))}`;
  return nameOf(data);
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
