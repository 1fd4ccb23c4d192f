import { type Static, type TSchema, Type } from "typebox";
import { EVENT_TYPES, type EventType } from "../../events/event-writer.js";
import { DELIVERY_STATUSES, type DeliveryStatus } from "../../webhooks/delivery-log.js";

// Named components of the events and webhook-delivery API, registered with the admin components
// (schemas.ts ADMIN_COMPONENTS). Kept apart from the routes so schemas.ts can list them without a cycle.

function ref<T extends TSchema & { $id?: string }>(schema: T) {
  return Type.Unsafe<Static<T>>({ $ref: `${schema.$id}#` });
}

export const Event = Type.Object(
  {
    id: Type.String({ description: "Event id (a bigint as a string); unique, not a sort key: order by the cursor" }),
    type: Type.Unsafe<EventType>({ type: "string", enum: [...EVENT_TYPES] }),
    directoryId: Type.String({ format: "uuid" }),
    tenant: Type.Union([Type.String(), Type.Null()]),
    product: Type.Union([Type.String(), Type.Null()]),
    occurredAt: Type.String({ format: "date-time" }),
    data: Type.Unknown({
      description:
        "The User or Group as the admin API shows it; {group, user} for membership events; {user, previousRoles, roles} for user.roles_changed",
    }),
    previousAttributes: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          "user.updated, user.deactivated, user.reactivated, group.updated, user.roles_changed: the app-facing fields that changed, with their OLD values (attributes and customAttributes: only the changed keys). Absent on other events",
      }),
    ),
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
        previousAttributes: { active: true },
      },
    ],
  },
);

export const EventPage = Type.Object(
  {
    data: Type.Array(ref(Event)),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description:
        "Pass as `after` to continue; unchanged when nothing new is readable yet (keep polling with it); null only before the first event",
    }),
  },
  { $id: "EventPage" },
);

const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableDate = Type.Union([Type.String({ format: "date-time" }), Type.Null()]);

export const WebhookDelivery = Type.Object(
  {
    id: Type.String({ description: "Delivery id (bigint as a string)" }),
    eventId: Type.String(),
    eventType: Type.Union([Type.String(), Type.Null()], { description: "null once the event was pruned" }),
    endpoint: Type.Object({
      id: Type.Union([Type.String({ format: "uuid" }), Type.Null()], { description: "null for the global endpoint" }),
      global: Type.Boolean({ description: "true: the global endpoint from WEBHOOK_URL" }),
      url: NullableString,
    }),
    status: Type.Unsafe<DeliveryStatus>({
      type: "string",
      enum: [...DELIVERY_STATUSES],
      description:
        "pending: waiting to be sent; failed: last attempt failed, retried at nextAttemptAt; succeeded; dead: every attempt failed",
    }),
    attempts: Type.Integer(),
    lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
    lastError: NullableString,
    nextAttemptAt: NullableDate,
    deliveredAt: NullableDate,
    lastAttemptAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
      description: "When the newest attempt started (see its attempts); kept across retries and replays; null before the first",
    }),
    createdAt: Type.String({ format: "date-time" }),
    updatedAt: Type.String({ format: "date-time" }),
  },
  {
    $id: "WebhookDelivery",
    examples: [
      {
        id: "311",
        eventId: "1042",
        eventType: "user.deactivated",
        endpoint: { id: "0b8e7c6d-5a4f-4e3d-9c2b-1a0f9e8d7c6b", global: false, url: "https://app.example.com/hooks/scim" },
        status: "failed",
        attempts: 2,
        lastStatusCode: 503,
        lastError: "receiver answered HTTP 503",
        nextAttemptAt: "2026-11-30T09:45:02.000Z",
        deliveredAt: null,
        lastAttemptAt: "2026-11-30T09:15:09.412Z",
        createdAt: "2026-11-30T09:15:02.201Z",
        updatedAt: "2026-11-30T09:15:09.480Z",
      },
    ],
  },
);

export const WebhookDeliveryPage = Type.Object(
  { data: Type.Array(ref(WebhookDelivery)), nextCursor: NullableString },
  { $id: "WebhookDeliveryPage" },
);

export const WebhookDeliveryAttempt = Type.Object(
  {
    attemptedAt: Type.String({ format: "date-time", description: "When the attempt started" }),
    outcome: Type.Unsafe<"succeeded" | "failed" | "dead">({
      type: "string",
      enum: ["succeeded", "failed", "dead"],
      description: "What the delivery became after this attempt: succeeded, failed (retried later) or dead (gave up)",
    }),
    statusCode: Type.Union([Type.Integer(), Type.Null()], { description: "The receiver's HTTP status; null when it did not answer" }),
    error: Type.Union([Type.String(), Type.Null()], { description: "Why the attempt failed; null when it succeeded" }),
  },
  {
    $id: "WebhookDeliveryAttempt",
    examples: [
      { attemptedAt: "2026-11-30T09:15:09.412Z", outcome: "failed", statusCode: 503, error: "receiver answered HTTP 503: try later" },
    ],
  },
);

export const WebhookDeliveryAttemptPage = Type.Object(
  {
    data: Type.Array(ref(WebhookDeliveryAttempt), { description: "Newest first" }),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: "Pass as ?cursor= for older attempts; null on the last page" }),
  },
  {
    $id: "WebhookDeliveryAttemptPage",
    examples: [
      {
        data: [
          { attemptedAt: "2026-11-30T09:45:02.013Z", outcome: "succeeded", statusCode: 204, error: null },
          { attemptedAt: "2026-11-30T09:15:09.412Z", outcome: "failed", statusCode: 503, error: "receiver answered HTTP 503: try later" },
          { attemptedAt: "2026-11-30T09:15:02.230Z", outcome: "failed", statusCode: null, error: "no answer within 10000 ms" },
        ],
        nextCursor: null,
      },
    ],
  },
);

export const WebhookReplayResult = Type.Object(
  { queued: Type.Integer({ description: "Deliveries queued for the directory's endpoint" }) },
  { $id: "WebhookReplayResult" },
);

export const WebhookTestResult = Type.Object(
  {
    webhookId: Type.String({ description: "The message's webhook-id header and payload id" }),
    url: Type.String(),
    delivered: Type.Boolean({ description: "The receiver answered 2xx in time" }),
    statusCode: Type.Union([Type.Integer(), Type.Null()], { description: "The receiver's HTTP status; null when it did not answer" }),
    error: Type.Union([Type.String(), Type.Null()], { description: "Why it was not delivered" }),
  },
  { $id: "WebhookTestResult" },
);

export const EVENT_COMPONENTS: TSchema[] = [
  Event,
  EventPage,
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookDeliveryAttempt,
  WebhookDeliveryAttemptPage,
  WebhookReplayResult,
  WebhookTestResult,
];
