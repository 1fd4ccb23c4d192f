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

function summary(data: unknown): string {
  const d = (data ?? {}) as Record<string, unknown>;
  const name = d.userName ?? d.displayName ?? d.id;
  return typeof name === "string" ? name : "-";
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
        options.json ? JSON.stringify(event) : [event.occurredAt, event.type, event.directoryId, event.id, summary(event.data)].join("\t"),
      );
    }
    after = page.last ?? after;
    if (page.events.length < PAGE) await pause(IDLE_POLL_MS, ctx.signal);
  }
  if (after) ctx.note(`Stopped. Resume with: scimbridge events tail --after ${encodeEventCursor(after)}`);
}
