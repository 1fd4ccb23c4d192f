import { randomUUID } from "node:crypto";
import type { Config } from "../config.js";
import type { Database } from "../db/database.js";
import { DirectoryNotFound } from "../directories/directory-service.js";
import { directoryWebhookTarget } from "../directories/directory-webhook.js";
import { NoWebhookEndpoint } from "./delivery-log.js";
import { WebhookSender } from "./webhook-sender.js";

// "Send a test event": one signed `webhook.test` message to the directory's endpoint, sent now and once,
// so an operator can check the URL and the receiver's signature check. It is not an event of the directory:
// nothing goes to the event log or the delivery log, and the answer is returned to the caller.

export const TEST_EVENT_TYPE = "webhook.test";

export interface TestEventResult {
  /** The message's webhook-id (also the payload's id). */
  webhookId: string;
  url: string;
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
}

export async function sendWebhookTestEvent(db: Database, config: Config, directoryId: string): Promise<TestEventResult> {
  const directory = await db.prisma.directory.findUnique({ where: { id: directoryId }, select: { tenant: true, product: true } });
  if (!directory) throw new DirectoryNotFound(directoryId);
  const target = await directoryWebhookTarget(db.prisma, config, directoryId);
  if (!target) throw new NoWebhookEndpoint(directoryId);
  const webhookId = `msg_test_${randomUUID()}`;
  const payload = JSON.stringify({
    id: webhookId,
    type: TEST_EVENT_TYPE,
    directoryId,
    tenant: directory.tenant,
    product: directory.product,
    occurredAt: new Date().toISOString(),
    data: { message: "A test event from scimbridge: your endpoint is reachable and can verify the signature." },
  });
  const sender = new WebhookSender(config);
  try {
    const result = await sender.send({ url: target.url, secret: target.secret, messageId: webhookId, payload });
    return { webhookId, url: target.url, delivered: result.ok, statusCode: result.statusCode, error: result.error };
  } finally {
    sender.close();
  }
}
