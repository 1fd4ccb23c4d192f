import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeBigintCursor, encodeBigintCursor } from "../../pagination/keyset-position.js";
import {
  DELIVERY_STATUSES,
  DeliveryNotFound,
  DeliveryNotRetryable,
  type DeliveryStatus,
  type DeliveryView,
  deliveryAttempts,
  findDelivery,
  listDeliveries,
  NoWebhookEndpoint,
  ReplayEventNotFound,
  replayToEndpoint,
  retryDelivery,
} from "../../webhooks/delivery-log.js";
import { sendWebhookTestEvent } from "../../webhooks/webhook-test-event.js";
import { ApiProblem } from "../problem.js";
import {
  WebhookDelivery,
  WebhookDeliveryAttemptPage,
  WebhookDeliveryPage,
  WebhookReplayResult,
  WebhookTestResult,
} from "./event-schemas.js";
import { ADMIN_SECURITY, DirectoryParams, PageQuery, problems, ref } from "./schemas.js";

// Webhook delivery log, manual retry and replay (docs/webhooks.md).

const BIGINT_ID = "^[1-9][0-9]{0,17}$";
const DeliveryParams = Type.Object({
  id: Type.String({ format: "uuid", description: "Directory id" }),
  deliveryId: Type.String({ pattern: BIGINT_ID, description: "Delivery id" }),
});

function toJson(d: DeliveryView) {
  const iso = (v: Date | null) => (v ? v.toISOString() : null);
  return {
    ...d,
    nextAttemptAt: iso(d.nextAttemptAt),
    deliveredAt: iso(d.deliveredAt),
    lastAttemptAt: iso(d.lastAttemptAt),
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

export function deliveryProblem(err: unknown): unknown {
  if (err instanceof DeliveryNotFound) return new ApiProblem(404, "delivery_not_found", "Not Found", "webhook delivery not found");
  if (err instanceof DeliveryNotRetryable) return new ApiProblem(409, "delivery_not_retryable", "Conflict", err.message);
  if (err instanceof NoWebhookEndpoint)
    return new ApiProblem(
      409,
      "no_webhook_endpoint",
      "Conflict",
      "the directory has no webhook endpoint; set one with PATCH /api/v1/directories/{id}",
    );
  if (err instanceof ReplayEventNotFound)
    return new ApiProblem(404, "event_not_found", "Not Found", `event ${err.message} not found in this directory (or already pruned)`);
  return err;
}

export const webhookDeliveryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ["webhooks"];

  app.get(
    "/directories/:id/webhook-deliveries",
    {
      schema: {
        tags,
        summary: "A directory's webhook delivery log, newest first",
        operationId: "listWebhookDeliveries",
        security: ADMIN_SECURITY,
        params: DirectoryParams,
        querystring: Type.Object({
          status: Type.Optional(Type.Unsafe<DeliveryStatus>({ type: "string", enum: [...DELIVERY_STATUSES] })),
          cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "nextCursor of the previous page" })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
        }),
        response: { 200: ref(WebhookDeliveryPage), ...problems(400, 404) },
      },
    },
    async (request) => {
      const before = request.query.cursor === undefined ? undefined : decodeBigintCursor("b", request.query.cursor);
      const limit = request.query.limit ?? 50;
      const page = await listDeliveries(app.db, app.config, request.params.id, { status: request.query.status, before, limit });
      const last = page.deliveries.at(-1);
      return { data: page.deliveries.map(toJson), nextCursor: page.more && last ? encodeBigintCursor("b", last.id) : null };
    },
  );

  app.get(
    "/directories/:id/webhook-deliveries/:deliveryId",
    {
      schema: {
        tags,
        summary: "One webhook delivery of a directory",
        operationId: "getWebhookDelivery",
        security: ADMIN_SECURITY,
        params: DeliveryParams,
        response: { 200: ref(WebhookDelivery), ...problems(400, 404) },
      },
    },
    async (request) => {
      try {
        return toJson(await findDelivery(app.db, app.config, request.params.id, request.params.deliveryId));
      } catch (err) {
        throw deliveryProblem(err);
      }
    },
  );

  app.get(
    "/directories/:id/webhook-deliveries/:deliveryId/attempts",
    {
      schema: {
        tags,
        summary: "A webhook delivery's attempt history, newest first",
        description:
          "Every attempt since the delivery was queued, kept across manual retries and replays (which reset the delivery's `attempts` count), until retention deletes the delivery.",
        operationId: "listWebhookDeliveryAttempts",
        security: ADMIN_SECURITY,
        params: DeliveryParams,
        querystring: Type.Object(PageQuery),
        response: { 200: ref(WebhookDeliveryAttemptPage), ...problems(400, 404) },
      },
    },
    async (request) => {
      const before = request.query.cursor === undefined ? undefined : decodeBigintCursor("b", request.query.cursor);
      try {
        const delivery = await findDelivery(app.db, app.config, request.params.id, request.params.deliveryId);
        const page = await deliveryAttempts(app.db, delivery.id, { before, limit: request.query.limit ?? 50 });
        const last = page.attempts.at(-1);
        return {
          data: page.attempts.map((a) => ({
            attemptedAt: a.at.toISOString(),
            outcome: a.outcome,
            statusCode: a.statusCode,
            error: a.error,
          })),
          nextCursor: page.more && last ? encodeBigintCursor("b", last.id) : null,
        };
      } catch (err) {
        throw deliveryProblem(err);
      }
    },
  );

  app.post(
    "/webhook-deliveries/:id/retry",
    {
      schema: {
        tags,
        summary: "Retry a failed or dead-lettered delivery now (fresh retry schedule)",
        operationId: "retryWebhookDelivery",
        security: ADMIN_SECURITY,
        params: Type.Object({ id: Type.String({ pattern: BIGINT_ID, description: "Delivery id" }) }),
        response: { 200: ref(WebhookDelivery), ...problems(400, 404, 409) },
      },
    },
    async (request) => {
      try {
        return toJson(await retryDelivery(app.db, app.config, request.params.id));
      } catch (err) {
        throw deliveryProblem(err);
      }
    },
  );

  app.post(
    "/directories/:id/webhooks/replay",
    {
      schema: {
        tags,
        summary: "Re-send a directory's events from an event on, in order, to its webhook endpoint",
        description: "Delivered or dead events are queued again under a new webhook-id; events still queued are left as they are.",
        operationId: "replayWebhooks",
        security: ADMIN_SECURITY,
        params: DirectoryParams,
        querystring: Type.Object({ fromEventId: Type.String({ pattern: BIGINT_ID, description: "Event id to start from (inclusive)" }) }),
        response: { 202: ref(WebhookReplayResult), ...problems(400, 404, 409) },
      },
    },
    async (request, reply) => {
      try {
        const queued = await replayToEndpoint(app.db, request.params.id, request.query.fromEventId);
        return reply.code(202).send({ queued });
      } catch (err) {
        throw deliveryProblem(err);
      }
    },
  );

  app.post(
    "/directories/:id/webhooks/test",
    {
      schema: {
        tags,
        summary: "Send a signed test event (type webhook.test) to the directory's webhook endpoint now, once",
        description:
          "Not an event of the directory: it is neither logged nor retried. The answer says whether the receiver accepted it (2xx) and, if not, why.",
        operationId: "sendWebhookTestEvent",
        security: ADMIN_SECURITY,
        params: DirectoryParams,
        response: { 200: ref(WebhookTestResult), ...problems(400, 404, 409) },
      },
    },
    async (request) => {
      try {
        return await sendWebhookTestEvent(app.db, app.config, request.params.id);
      } catch (err) {
        throw deliveryProblem(err);
      }
    },
  );
};
