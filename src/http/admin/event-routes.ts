import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeEventCursor, encodeEventCursor, type EventPosition } from "../../events/event-position.js";
import { eventPage } from "../../events/event-service.js";
import { EVENT_TYPES, type EventType } from "../../events/event-writer.js";
import { InvalidCursor } from "../../pagination/cursor.js";
import { ApiProblem } from "../problem.js";
import { EventPage } from "./event-schemas.js";
import { ADMIN_SECURITY, DirectoryParams, problems, ref } from "./schemas.js";

// The events API: the change log a SaaS app pulls with a cursor (docs/events.md).

const EventQuery = Type.Object({
  after: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: "nextCursor of the previous page; omit to start at the oldest kept event" }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  types: Type.Optional(Type.String({ maxLength: 500, description: `Comma-separated event types: ${EVENT_TYPES.join(", ")}` })),
});

export function parseEventTypes(raw: string | undefined): EventType[] | undefined {
  if (raw === undefined) return undefined;
  const types = raw
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  const unknown = types.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0) {
    throw new ApiProblem(
      400,
      "invalid_event_type",
      "Bad Request",
      `unknown event type ${unknown.map((t) => `"${t}"`).join(", ")}; known: ${EVENT_TYPES.join(", ")}`,
    );
  }
  return types.length ? (types as EventType[]) : undefined;
}

function parseAfter(raw: string | undefined): EventPosition | undefined {
  if (raw === undefined) return undefined;
  try {
    return decodeEventCursor(raw);
  } catch (err) {
    if (err instanceof InvalidCursor)
      throw new ApiProblem(400, "invalid_cursor", "Bad Request", "`after` is not a cursor from this events API");
    throw err;
  }
}

export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ["events"];

  async function page(query: { after?: string; limit?: number; types?: string }, directoryId?: string) {
    const after = parseAfter(query.after);
    const types = parseEventTypes(query.types);
    const result = await eventPage(app.db, { after, limit: query.limit ?? 100, types, directoryId });
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
    async (request) => page(request.query, request.params.id),
  );
};
