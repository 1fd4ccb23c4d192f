import { randomUUID } from "node:crypto";
import { issueSecretToken } from "../../src/directories/directory-tokens.js";
import type { TestApp } from "./test-app.js";

// A directory with a live SCIM token, created straight in the database (no admin API needed).

export interface ScimDirectory {
  directoryId: string;
  token: string;
  /** "/scim/v2/<id>": prefix for app.inject URLs. */
  base: string;
  headers: { authorization: string; "content-type": string };
}

export async function createScimDirectory(t: TestApp, options: { disabled?: boolean; name?: string } = {}): Promise<ScimDirectory> {
  const prisma = t.app.db.prisma;
  const directoryId = randomUUID();
  await prisma.directory.create({
    data: { id: directoryId, name: options.name ?? "Acme", disabledAt: options.disabled ? new Date() : null },
  });
  const issued = await issueSecretToken(prisma, t.config, directoryId);
  return {
    directoryId,
    token: issued.secretToken,
    base: `/scim/v2/${directoryId}`,
    headers: { authorization: `Bearer ${issued.secretToken}`, "content-type": "application/scim+json" },
  };
}

/** Rows in `events` for a directory, oldest first. */
export async function eventsOf(t: TestApp, directoryId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const rows = await t.app.db.pool.query("SELECT type, data FROM events WHERE directory_id = $1 ORDER BY id", [directoryId]);
  return rows.rows;
}
