import { randomUUID } from "node:crypto";
import type { Config } from "../config.js";
import type { Database } from "../db/database.js";
import type { Directory, Prisma } from "../generated/prisma/client.js";
import { decodeKeyset, encodeKeyset } from "../pagination/keyset-position.js";
import { notifyAuthChange } from "./auth-change.js";
import { issueSecretToken } from "./directory-tokens.js";
import { checkWebhookInput, removeDirectoryWebhook, setDirectoryWebhook, type WebhookInput } from "./directory-webhook.js";

// Directories: the unit a customer's IdP syncs into. Used by the admin routes and the CLI alike.

export const PROVIDERS = ["entra", "okta", "onelogin", "jumpcloud", "generic"] as const;
export type Provider = (typeof PROVIDERS)[number];

export class DirectoryNotFound extends Error {
  constructor(readonly directoryId: string) {
    super("directory not found");
  }
}

export interface DirectoryView {
  id: string;
  name: string;
  tenant: string | null;
  product: string | null;
  provider: string;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  scim: { tenantUrl: string; secretToken?: string };
  /** `secret` is present only in the response of the request that set it. */
  webhook: { url: string; secret?: string } | null;
}

/** The create response: the only time the secret token (and webhook secret) are shown. */
export interface CreatedDirectory extends Omit<DirectoryView, "scim" | "webhook"> {
  scim: { tenantUrl: string; secretToken: string };
  webhook: { url: string; secret: string } | null;
}

export interface NewDirectory {
  name: string;
  tenant?: string | null;
  product?: string | null;
  provider?: Provider;
  webhook?: WebhookInput;
}

export interface DirectoryChanges {
  name?: string;
  disabled?: boolean;
  /** null removes the webhook. */
  webhook?: WebhookInput | null;
}

export interface DirectoryPage {
  data: DirectoryView[];
  nextCursor: string | null;
}

export function tenantUrl(config: Config, directoryId: string): string {
  return `${config.publicUrl}/scim/v2/${directoryId}`;
}

function view(config: Config, row: Directory, webhookUrl: string | undefined): DirectoryView {
  return {
    id: row.id,
    name: row.name,
    tenant: row.tenant,
    product: row.product,
    provider: row.provider,
    disabled: row.disabledAt !== null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    scim: { tenantUrl: tenantUrl(config, row.id) },
    webhook: webhookUrl === undefined ? null : { url: webhookUrl },
  };
}

async function webhookUrls(
  prisma: Pick<Prisma.TransactionClient, "webhookEndpoint">,
  directoryIds: string[],
): Promise<Map<string, string>> {
  const rows = await prisma.webhookEndpoint.findMany({
    where: { directoryId: { in: directoryIds } },
    orderBy: { createdAt: "asc" },
    select: { directoryId: true, url: true },
  });
  const urls = new Map<string, string>();
  for (const r of rows) if (!urls.has(r.directoryId)) urls.set(r.directoryId, r.url);
  return urls;
}

/** Creates a directory with its first secret token (returned once) and optional webhook, in one transaction. */
export async function createDirectory(db: Database, config: Config, input: NewDirectory): Promise<CreatedDirectory> {
  const webhook = input.webhook ? await checkWebhookInput(input.webhook, config) : undefined;
  return db.prisma.$transaction(async (tx) => {
    const row = await tx.directory.create({
      data: {
        id: randomUUID(),
        name: input.name,
        tenant: input.tenant ?? null,
        product: input.product ?? null,
        provider: input.provider ?? "entra",
      },
    });
    // the directory row was just created in this transaction, so a token is always issued
    const token = (await issueSecretToken(tx, config, row.id))!;
    const hook = webhook ? await setDirectoryWebhook(tx, config, row.id, webhook) : undefined;
    const out = view(config, row, hook?.url);
    return {
      ...out,
      scim: { tenantUrl: out.scim.tenantUrl, secretToken: token.secretToken },
      webhook: hook ? { url: hook.url, secret: hook.secret! } : null,
    };
  });
}

export async function getDirectory(db: Database, config: Config, directoryId: string): Promise<DirectoryView> {
  const row = await db.prisma.directory.findUnique({ where: { id: directoryId } });
  if (!row) throw new DirectoryNotFound(directoryId);
  return view(config, row, (await webhookUrls(db.prisma, [row.id])).get(row.id));
}

/** Throws DirectoryNotFound unless the directory exists (for nested resources). */
export async function assertDirectoryExists(db: Database, directoryId: string): Promise<void> {
  const row = await db.prisma.directory.findUnique({ where: { id: directoryId }, select: { id: true } });
  if (!row) throw new DirectoryNotFound(directoryId);
}

/**
 * Directories ordered by (createdAt, id); the cursor is the last row's position. `search` matches a part of
 * the name or tenant, ignoring case.
 */
export async function listDirectories(
  db: Database,
  config: Config,
  query: { tenant?: string; product?: string; search?: string; limit: number; cursor?: string },
): Promise<DirectoryPage> {
  const after = query.cursor ? decodeKeyset(query.cursor) : undefined;
  // Prisma's `contains` passes LIKE wildcards through: "100%" must not match "1000"
  const search = query.search?.replace(/[\\%_]/g, (c) => `\\${c}`);
  const where: Prisma.DirectoryWhereInput = {
    ...(query.tenant !== undefined ? { tenant: query.tenant } : {}),
    ...(query.product !== undefined ? { product: query.product } : {}),
    ...(search
      ? {
          AND: [
            {
              OR: [
                { name: { contains: search, mode: "insensitive" as const } },
                { tenant: { contains: search, mode: "insensitive" as const } },
              ],
            },
          ],
        }
      : {}),
    ...(after
      ? {
          OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }],
        }
      : {}),
  };
  const rows = await db.prisma.directory.findMany({ where, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const urls = await webhookUrls(
    db.prisma,
    page.map((r) => r.id),
  );
  const last = page[page.length - 1];
  return {
    data: page.map((r) => view(config, r, urls.get(r.id))),
    nextCursor: rows.length > query.limit && last ? encodeKeyset(last) : null,
  };
}

/** Applies name / disabled / webhook changes. */
export async function updateDirectory(
  db: Database,
  config: Config,
  directoryId: string,
  changes: DirectoryChanges,
): Promise<DirectoryView> {
  const webhook = changes.webhook ? await checkWebhookInput(changes.webhook, config) : changes.webhook;
  return db.prisma.$transaction(async (tx) => {
    const current = await tx.directory.findUnique({ where: { id: directoryId } });
    if (!current) throw new DirectoryNotFound(directoryId);
    const disabledAt = changes.disabled === undefined ? current.disabledAt : changes.disabled ? (current.disabledAt ?? new Date()) : null;
    const row = await tx.directory.update({
      where: { id: directoryId },
      data: { ...(changes.name !== undefined ? { name: changes.name } : {}), disabledAt, updatedAt: new Date() },
    });
    // every replica re-reads the directory's tokens at commit
    if ((disabledAt === null) !== (current.disabledAt === null)) await notifyAuthChange(tx, { directoryId });
    let secret: string | undefined;
    if (webhook === null) await removeDirectoryWebhook(tx, directoryId);
    else if (webhook) secret = (await setDirectoryWebhook(tx, config, directoryId, webhook)).secret;
    const url = (await webhookUrls(tx, [directoryId])).get(directoryId);
    const out = view(config, row, url);
    if (secret && out.webhook) out.webhook.secret = secret;
    return out;
  });
}

/**
 * Deletes the directory; users, groups, memberships, tokens, events and the rest go with it (FK cascades).
 * Every replica forgets the directory's cached tokens at commit.
 */
export async function deleteDirectory(db: Database, directoryId: string): Promise<void> {
  await db.prisma.$transaction(async (tx) => {
    const deleted = await tx.directory.deleteMany({ where: { id: directoryId } });
    if (deleted.count === 0) throw new DirectoryNotFound(directoryId);
    await notifyAuthChange(tx, { directoryId });
  });
}
