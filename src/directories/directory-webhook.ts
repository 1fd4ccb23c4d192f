import { randomBytes, randomUUID } from "node:crypto";
import type { Config } from "../config.js";
import type { Prisma } from "../generated/prisma/client.js";
import { SecretBox } from "../secrets/secret-box.js";
import { checkWebhookTarget, WebhookTargetRejected } from "../webhooks/target-policy.js";

// A directory's own webhook endpoint (one per directory on the admin API): control plane, Prisma models;
// every read and write of webhook_endpoints outside SQL joins is here. Secrets follow the
// Standard Webhooks format (whsec_ + base64 key) and are stored encrypted with SECRETS_KEY.

const WEBHOOK_SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]+={0,2}$/;
const MIN_SECRET_BYTES = 24;

export class InvalidWebhook extends Error {}

export interface WebhookInput {
  url: string;
  secret?: string;
}

/** A validated webhook ready to store; `secret` is the plaintext, shown to the caller at most once. */
export interface CheckedWebhook {
  url: string;
  secret: string | undefined;
}

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

export function checkWebhookSecret(secret: string): void {
  if (!WEBHOOK_SECRET_PATTERN.test(secret) || Buffer.from(secret.slice("whsec_".length), "base64").length < MIN_SECRET_BYTES) {
    throw new InvalidWebhook(`webhook secret must be "whsec_" followed by at least ${MIN_SECRET_BYTES} bytes in base64`);
  }
}

/** Validates URL (target policy) and secret before anything is written. */
export async function checkWebhookInput(input: WebhookInput, config: Config): Promise<CheckedWebhook> {
  if (input.secret !== undefined) checkWebhookSecret(input.secret);
  try {
    await checkWebhookTarget(input.url, config);
  } catch (err) {
    if (err instanceof WebhookTargetRejected) throw new InvalidWebhook(err.message);
    throw err;
  }
  return { url: input.url, secret: input.secret };
}

function secretBox(config: Config): SecretBox {
  if (!config.secretsKey) throw new Error("SECRETS_KEY is not configured; cannot store webhook secrets");
  return new SecretBox(config.secretsKey);
}

type WebhookTx = Pick<Prisma.TransactionClient, "webhookEndpoint">;

/**
 * Creates or replaces the directory's webhook. Returns `secret` when this call stored a new one (given or
 * generated), so the response can show it once; a URL change without a secret keeps the stored secret.
 */
export async function setDirectoryWebhook(
  tx: WebhookTx,
  config: Config,
  directoryId: string,
  webhook: CheckedWebhook,
): Promise<{ url: string; secret: string | undefined }> {
  const box = secretBox(config);
  const existing = await tx.webhookEndpoint.findFirst({ where: { directoryId }, orderBy: { createdAt: "asc" } });
  if (existing) {
    await tx.webhookEndpoint.update({
      where: { id: existing.id },
      data: { url: webhook.url, disabledAt: null, ...(webhook.secret ? { secretEncrypted: box.seal(webhook.secret) } : {}) },
    });
    return { url: webhook.url, secret: webhook.secret };
  }
  const secret = webhook.secret ?? generateWebhookSecret();
  await tx.webhookEndpoint.create({ data: { id: randomUUID(), directoryId, url: webhook.url, secretEncrypted: box.seal(secret) } });
  return { url: webhook.url, secret };
}

export async function removeDirectoryWebhook(tx: WebhookTx, directoryId: string): Promise<void> {
  await tx.webhookEndpoint.deleteMany({ where: { directoryId } });
}

/** The directory's enabled endpoint (the first, as the admin API shows it); undefined when it has none. */
export async function enabledWebhookEndpointId(tx: WebhookTx, directoryId: string): Promise<string | undefined> {
  const row = await tx.webhookEndpoint.findFirst({
    where: { directoryId, disabledAt: null },
    orderBy: { createdAt: "asc" },
    select: { id: true },
  });
  return row?.id;
}

/** The directory's enabled endpoint with its secret opened (for a test event); undefined when it has none. */
export async function directoryWebhookTarget(
  tx: WebhookTx,
  config: Config,
  directoryId: string,
): Promise<{ url: string; secret: string } | undefined> {
  const row = await tx.webhookEndpoint.findFirst({ where: { directoryId, disabledAt: null }, orderBy: { createdAt: "asc" } });
  return row ? { url: row.url, secret: secretBox(config).open(row.secretEncrypted) } : undefined;
}

/** Whether any directory has a webhook endpoint (event retention keeps undispatched events then). */
export async function anyWebhookEndpoint(tx: WebhookTx): Promise<boolean> {
  return (await tx.webhookEndpoint.findFirst({ select: { id: true } })) !== null;
}
