import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll } from "vitest";
import type { Config } from "../../src/config.js";
import type { Database } from "../../src/db/database.js";
import { appendEvents, type EventType } from "../../src/events/event-writer.js";
import { SecretBox } from "../../src/secrets/secret-box.js";
import { startWebhookWorker, type WebhookWorker } from "../../src/webhooks/delivery-worker.js";
import { buildTestApp, type TestApp } from "./test-app.js";

// Directories, events, endpoints and a real HTTP receiver for the events/webhooks tests.

export const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

export async function createDirectory(db: Database, fields: { tenant?: string; product?: string } = {}): Promise<string> {
  const id = randomUUID();
  await db.prisma.directory.create({
    data: { id, name: `dir-${id.slice(0, 8)}`, tenant: fields.tenant ?? "acme", product: fields.product ?? "crm" },
  });
  return id;
}

/** Appends events the way the SCIM code does: in one transaction; returns nothing (ids come from the log). */
export async function writeEvents(
  db: Database,
  directoryId: string,
  count: number,
  type: EventType = "user.created",
  from = 0,
): Promise<void> {
  await db.transaction(async (tx) => {
    await appendEvents(
      tx,
      Array.from({ length: count }, (_, i) => ({ type, directoryId, data: { seq: from + i, userName: `user${from + i}@acme.example` } })),
    );
  });
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** Inserts the directory's endpoint as the admin API stores it (secret sealed with SECRETS_KEY). */
export async function setEndpoint(db: Database, config: Config, directoryId: string, url: string, secret: string): Promise<string> {
  const id = randomUUID();
  await db.prisma.webhookEndpoint.create({
    data: { id, directoryId, url, secretEncrypted: new SecretBox(config.secretsKey!).seal(secret) },
  });
  return id;
}

export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  json: {
    id: string;
    type: string;
    directoryId: string;
    tenant: string | null;
    product: string | null;
    occurredAt: string;
    data: { seq: number } & Record<string, unknown>;
  };
}

export interface Receiver {
  url: string;
  /** every request, in arrival order (including ones answered with an error) */
  requests: ReceivedWebhook[];
  /** requests answered 2xx, in order */
  accepted: ReceivedWebhook[];
  /** status to answer with; a function decides per request; "hang" never answers */
  respond: number | "hang" | ((req: ReceivedWebhook) => number | "hang");
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const hanging = new Set<http.ServerResponse>();
  const receiver: Receiver = {
    url: "",
    requests: [],
    accepted: [],
    respond: 204,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const got: ReceivedWebhook = { headers: req.headers as Record<string, string>, body, json: JSON.parse(body) };
      receiver.requests.push(got);
      const answer = typeof receiver.respond === "function" ? receiver.respond(got) : receiver.respond;
      if (answer === "hang") {
        hanging.add(res);
        return;
      }
      if (answer >= 200 && answer < 300) receiver.accepted.push(got);
      res.statusCode = answer;
      res.end(answer >= 300 ? "receiver is down" : "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  receiver.close = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

export interface AppWithReceiver {
  t: TestApp;
  receiver: Receiver;
}

/** In a describe block: a test app (built with `env`) and a webhook receiver for all its tests, closed after them. */
export function useAppWithReceiver(env: Record<string, string> = {}): AppWithReceiver {
  const ctx = {} as AppWithReceiver;
  beforeAll(async () => {
    ctx.t = await buildTestApp(env);
    ctx.receiver = await startReceiver();
  });
  afterAll(async () => {
    await ctx.receiver?.close();
    await ctx.t?.close();
  });
  return ctx;
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10000, what = "condition"): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A worker with fast test settings on top of the app's config. */
export function startTestWorker(db: Database, config: Config, webhooks: Partial<Config["webhooks"]> = {}): WebhookWorker {
  return startWebhookWorker({
    db,
    config: { ...config, webhooks: { ...config.webhooks, pollMs: 20, timeoutMs: 1000, retrySchedule: [0.05, 0.05], ...webhooks } },
    logger: silentLogger,
  });
}

export async function deliveryRows(
  pool: pg.Pool,
): Promise<{ event_id: string; status: string; attempts: number; last_error: string | null; endpoint_id: string | null }[]> {
  const { rows } = await pool.query(
    "SELECT event_id::text, status, attempts, last_error, endpoint_id FROM webhook_deliveries ORDER BY event_txid, event_id",
  );
  return rows;
}
