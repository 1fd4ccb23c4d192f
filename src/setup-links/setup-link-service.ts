import { randomUUID } from "node:crypto";
import type { Config } from "../config.js";
import type { Database } from "../db/database.js";
import { assertDirectoryExists, DirectoryNotFound } from "../directories/directory-service.js";
import { type IssuedToken, issueAdditionalToken } from "../directories/directory-tokens.js";
import { setupLinkKey, signSetupLinkToken, verifySetupLinkToken } from "./setup-link-token.js";

// Setup links: created and revoked through the admin API, opened by the customer's IT admin.
// Control plane: Prisma's typed models. Functions taking a directory id throw DirectoryNotFound.

export interface CreatedSetupLink {
  id: string;
  url: string;
  expiresAt: Date;
}

export interface SetupLinkSummary {
  id: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

function setupLinkUrl(config: Config, token: string): string {
  return `${config.publicUrl}/setup/${token}`;
}

export async function createSetupLink(
  db: Database,
  config: Config,
  directoryId: string,
  ttlDays = config.setupLinkTtlDays,
): Promise<CreatedSetupLink> {
  await assertDirectoryExists(db, directoryId);
  const key = setupLinkKey(config.secretsKey);
  const id = randomUUID();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + ttlDays * 86400_000);
  await db.prisma.setupLink.create({ data: { id, directoryId, createdAt: now, expiresAt } });
  return { id, url: setupLinkUrl(config, signSetupLinkToken(key, id)), expiresAt };
}

export type SetupLinkState = "active" | "expired" | "revoked";

export function setupLinkState(link: Pick<SetupLinkSummary, "expiresAt" | "revokedAt">, now = Date.now()): SetupLinkState {
  return link.revokedAt ? "revoked" : link.expiresAt.getTime() <= now ? "expired" : "active";
}

export async function listSetupLinks(db: Database, directoryId: string): Promise<SetupLinkSummary[]> {
  await assertDirectoryExists(db, directoryId);
  return db.prisma.setupLink.findMany({
    where: { directoryId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true, createdAt: true, expiresAt: true, revokedAt: true },
  });
}

/** Revokes a link; false when the directory has no such link. Revoking twice keeps the first time. */
export async function revokeSetupLink(db: Database, directoryId: string, linkId: string): Promise<boolean> {
  await assertDirectoryExists(db, directoryId);
  const link = await db.prisma.setupLink.findFirst({ where: { id: linkId, directoryId }, select: { revokedAt: true } });
  if (!link) return false;
  if (!link.revokedAt) await db.prisma.setupLink.update({ where: { id: linkId }, data: { revokedAt: new Date() } });
  return true;
}

export interface SetupDirectory {
  id: string;
  name: string;
  provider: string;
  disabled: boolean;
}

export type OpenedSetupLink =
  | { state: "valid"; linkId: string; expiresAt: Date; directory: SetupDirectory }
  | { state: "expired" | "revoked" | "unknown" };

/** What a setup link token opens: a valid link and its directory, or why not. */
export async function openSetupLink(db: Database, key: Buffer, token: string, now = new Date()): Promise<OpenedSetupLink> {
  const linkId = verifySetupLinkToken(key, token);
  if (!linkId) return { state: "unknown" };
  const link = await db.prisma.setupLink.findUnique({
    where: { id: linkId },
    select: { expiresAt: true, revokedAt: true, directory: { select: { id: true, name: true, provider: true, disabledAt: true } } },
  });
  if (!link) return { state: "unknown" };
  if (link.revokedAt) return { state: "revoked" };
  if (link.expiresAt <= now) return { state: "expired" };
  const d = link.directory;
  return {
    state: "valid",
    linkId,
    expiresAt: link.expiresAt,
    directory: { id: d.id, name: d.name, provider: d.provider, disabled: d.disabledAt !== null },
  };
}

/**
 * A new Secret Token for the directory an opened link belongs to (the page's Reveal button), issued exactly as
 * the admin API issues one, so the page holds the same limit. Throws TokenLimitReached, or DirectoryNotFound
 * when the directory was deleted after the link was opened.
 */
export async function issueSecretTokenForLink(
  db: Database,
  config: Config,
  link: OpenedSetupLink & { state: "valid" },
): Promise<IssuedToken> {
  const issued = await issueAdditionalToken(db, config, link.directory.id);
  if (!issued) throw new DirectoryNotFound(link.directory.id);
  return issued;
}
