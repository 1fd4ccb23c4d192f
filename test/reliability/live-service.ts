import { adminAuth, buildTestApp, type TestApp } from "../helpers/test-app.js";
import type { TestDatabase } from "../helpers/test-database.js";

// The app listening on 127.0.0.1 (real sockets, parallel fetch), with directories created through the
// admin API exactly as a SaaS app would create them.

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

export interface LiveService extends TestApp {
  baseUrl: string;
}

export interface LiveDirectory {
  id: string;
  token: string;
  /** This process's Tenant URL (the API answers with PUBLIC_URL's, which is not listening). */
  tenantUrl: string;
  scim(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimResponse>;
}

export interface ScimResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

export async function startLiveService(env: Record<string, string> = {}, database?: TestDatabase): Promise<LiveService> {
  const t = await buildTestApp(env, database);
  await t.app.listen({ port: 0, host: "127.0.0.1" });
  const address = t.app.server.address();
  if (!address || typeof address === "string") throw new Error("no address");
  return Object.assign(t, { baseUrl: `http://127.0.0.1:${address.port}` }) as LiveService;
}

export async function requestJson(url: string, init: RequestInit): Promise<ScimResponse> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = {};
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** A directory created with POST /api/v1/directories; its secret token is only in that response. */
export async function createLiveDirectory(
  service: { baseUrl: string },
  name: string,
  extra: Record<string, unknown> = {},
): Promise<LiveDirectory> {
  const res = await requestJson(`${service.baseUrl}/api/v1/directories`, {
    method: "POST",
    headers: { ...adminAuth, "content-type": "application/json" },
    body: JSON.stringify({ name, ...extra }),
  });
  if (res.status !== 201) throw new Error(`create directory: ${res.status} ${res.text}`);
  const id = res.body.id as string;
  const token = (res.body.scim as { secretToken: string }).secretToken;
  return liveDirectory(service.baseUrl, id, token);
}

export function liveDirectory(baseUrl: string, id: string, token: string): LiveDirectory {
  const tenantUrl = `${baseUrl}/scim/v2/${id}`;
  return {
    id,
    token,
    tenantUrl,
    scim: (method, path, body, headers = {}) =>
      requestJson(`${tenantUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/scim+json" }),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      }),
  };
}

export function newUser(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemas: [USER_SCHEMA], userName, active: true, ...extra };
}

export function newGroup(displayName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemas: [GROUP_SCHEMA], displayName, ...extra };
}

export function patchBody(...operations: Record<string, unknown>[]): Record<string, unknown> {
  return { schemas: [PATCH_SCHEMA], Operations: operations };
}

/** Counts of responses by status, for readable assertion failures. */
export function statusCounts(responses: { status: number }[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}
