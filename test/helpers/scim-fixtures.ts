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
  const issued = (await issueSecretToken(prisma, t.config, directoryId))!;
  return {
    directoryId,
    token: issued.secretToken,
    base: `/scim/v2/${directoryId}`,
    headers: { authorization: `Bearer ${issued.secretToken}`, "content-type": "application/scim+json" },
  };
}

/** Rows in `events` for a directory, oldest first. */
export async function eventsOf(
  t: TestApp,
  directoryId: string,
): Promise<{ type: string; data: Record<string, unknown>; previousAttributes: Record<string, unknown> | null }[]> {
  const rows = await t.app.db.pool.query(
    `SELECT type, data, previous_attributes AS "previousAttributes" FROM events WHERE directory_id = $1 ORDER BY id`,
    [directoryId],
  );
  return rows.rows;
}

export interface ScimResponse {
  status: number;
  headers: Record<string, unknown>;
  // biome-ignore lint/suspicious/noExplicitAny: SCIM JSON read by tests
  body: Record<string, any>;
  raw: string;
}

/** A tiny SCIM client over app.inject, authenticated as the directory. */
export function scimClient(t: TestApp, d: ScimDirectory) {
  return async (
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    path: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ScimResponse> => {
    const res = await t.app.inject({
      method,
      url: `${d.base}${path}`,
      headers: {
        authorization: d.headers.authorization,
        ...(payload !== undefined ? { "content-type": "application/scim+json" } : {}),
        ...headers,
      },
      ...(payload !== undefined ? { payload: typeof payload === "string" ? payload : JSON.stringify(payload) } : {}),
    });
    return {
      status: res.statusCode,
      headers: res.headers,
      body: res.body ? JSON.parse(res.body) : undefined,
      raw: res.body,
    } as ScimResponse;
  };
}

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

export function userBody(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemas: [USER_SCHEMA], userName, active: true, emails: [{ type: "work", primary: true, value: userName }], ...extra };
}

export function patchBody(...operations: Record<string, unknown>[]): Record<string, unknown> {
  return { schemas: [PATCH_OP], Operations: operations };
}
