import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type pg from "pg";
import { Type } from "typebox";
import { decodeEventCursor, encodeEventCursor, type EventPosition } from "../../events/event-position.js";
import { readEvents } from "../../events/event-store.js";
import { EVENT_TYPES, type EventType } from "../../events/event-writer.js";
import { InvalidCursor } from "../../pagination/cursor.js";
import { ApiProblem } from "../problem.js";
import { ADMIN_SECURITY, DirectoryParams, problems, ref } from "./schemas.js";

// The events API: the change log a SaaS app pulls with a cursor (docs/events.md).

export const Event = Type.Object(
  {
    id: Type.String({ description: "Event id (a bigint as a string); unique, not a sort key: order by the cursor" }),
    type: Type.Unsafe<EventType>({ type: "string", enum: [...EVENT_TYPES] }),
    directoryId: Type.String({ format: "uuid" }),
    tenant: Type.Union([Type.String(), Type.Null()]),
    product: Type.Union([Type.String(), Type.Null()]),
    occurredAt: Type.String({ format: "date-time" }),
    data: Type.Unknown({ description: "The User or Group as the admin API shows it; {group, user} for membership events" }),
  },
  {
    $id: "Event",
    examples: [
      {
        id: "1042",
        type: "user.deactivated",
        directoryId: "7d3c1f5e-2a4b-4c6d-8e9f-0a1b2c3d4e5f",
        tenant: "acme",
        product: "crm",
        occurredAt: "2026-11-30T09:15:02.114Z",
        data: { id: "5b1e0c7a-9d2f-4e3a-8b6c-1f0e2d3c4b5a", userName: "ada@acme.example", active: false },
      },
    ],
  },
);

export const EventPage = Type.Object(
  {
    data: Type.Array(ref(Event)),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: "Pass as `after` to continue; unchanged when nothing new is readable yet (keep polling with it); null only before the first event",
    }),
  },
  { $id: "EventPage" },
);

export const EVENT_COMPONENTS = [Event, EventPage];

const EventQuery = Type.Object({
  after: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "nextCursor of the previous page; omit to start at the oldest kept event" })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  types: Type.Optional(Type.String({ maxLength: 500, description: `Comma-separated event types: ${EVENT_TYPES.join(", ")}` })),
});

function parseTypes(raw: string | undefined): EventType[] | undefined {
  if (raw === undefined) return undefined;
  const types = raw.split(",").map((t) => t.trim()).filter(Boolean);
  const unknown = types.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0) {
    throw new ApiProblem(400, "invalid_event_type", "Bad Request", `unknown event type ${unknown.map((t) => `"${t}"`).join(", ")}; known: ${EVENT_TYPES.join(", ")}`);
  }
  return types.length ? (types as EventType[]) : undefined;
}

function parseAfter(raw: string | undefined): EventPosition | undefined {
  if (raw === undefined) return undefined;
  try {
    return decodeEventCursor(raw);
  } catch (err) {
    if (err instanceof InvalidCursor) throw new ApiProblem(400, "invalid_cursor", "Bad Request", "`after` is not a cursor from this events API");
    throw err;
  }
}

export async function assertDirectory(pool: pg.Pool, directoryId: string): Promise<void> {
  const { rowCount } = await pool.query("SELECT 1 FROM directories WHERE id = $1", [directoryId]);
  if (!rowCount) throw new ApiProblem(404, "directory_not_found", "Not Found", "directory not found");
}

export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ["events"];

  async function page(query: { after?: string; limit?: number; types?: string }, directoryId?: string) {
    const after = parseAfter(query.after);
    const types = parseTypes(query.types);
    const result = await readEvents(app.db.pool, { after, limit: query.limit ?? 100, types, directoryId });
    return { data: result.events, nextCursor: result.last ? encodeEventCursor(result.last) : null };
  }

  app.get(
    "/events",
    {
      schema: {
        tags,
        summary: "Read the event log of all directories (cursor, oldest first, gap-free)",
        description:
          "Events come in commit-safe order: an event appears only once every transaction that could still commit before it has finished, so a cursor never skips an event. Poll with the last nextCursor.",
        operationId: "listEvents",
        security: ADMIN_SECURITY,
        querystring: EventQuery,
        response: { 200: ref(EventPage), ...problems(400) },
      },
    },
    async (request) => page(request.query),
  );

  app.get(
    "/directories/:id/events",
    {
      schema: {
        tags,
        summary: "Read one directory's event log (cursor, oldest first, gap-free)",
        operationId: "listDirectoryEvents",
        security: ADMIN_SECURITY,
        params: DirectoryParams,
        querystring: EventQuery,
        response: { 200: ref(EventPage), ...problems(400, 404) },
      },
    },
    async (request) => {
      await assertDirectory(app.db.pool, request.params.id);
      return page(request.query, request.params.id);
    },
  );
};
