import type { Config } from "../config.js";
import type { Database } from "../db/database.js";
import { isDatabaseUnavailable, isRowDataError } from "../db/db-errors.js";
import { createGroup, deleteGroup, patchGroup, replaceGroup } from "../groups/group-service.js";
import { createUser, deleteUser, patchUser, replaceUser } from "../users/user-service.js";
import { invalidSyntax, invalidValue, ScimError, scimErrorBody } from "../scim/errors.js";
import { etagOf } from "../scim/resource/etag.js";

// RFC 7644 §3.7 Bulk over the same user and group services as the single-resource routes. Each
// operation is its own transaction (RFC: not atomic as a whole). `bulkId:<id>` references in paths
// and data resolve to resources created earlier in the request; an operation whose reference is
// created later in the request waits for it.

export const BULK_REQUEST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
export const BULK_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

interface BulkOperation {
  method: "POST" | "PUT" | "PATCH" | "DELETE";
  bulkId?: string;
  version?: string;
  path: string;
  data?: unknown;
}

export interface BulkOperationResult {
  method: string;
  bulkId?: string;
  version?: string;
  location?: string;
  status: string;
  response?: unknown;
}

export interface BulkResponse {
  schemas: [typeof BULK_RESPONSE_SCHEMA];
  Operations: BulkOperationResult[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function field(obj: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : obj[key];
}

/** Validates the envelope; operation-level problems are reported per operation, not here. */
export function parseBulkRequest(body: unknown, config: Config): { failOnErrors: number | undefined; operations: unknown[] } {
  if (!isObject(body)) throw invalidSyntax("Bulk body must be a JSON object");
  const schemas = field(body, "schemas");
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === "string" && s.toLowerCase() === BULK_REQUEST_SCHEMA.toLowerCase())) {
    throw invalidSyntax(`"schemas" must contain "${BULK_REQUEST_SCHEMA}"`);
  }
  const operations = field(body, "Operations");
  if (!Array.isArray(operations)) throw invalidSyntax('"Operations" must be an array');
  if (operations.length > config.scim.bulkMaxOperations) {
    throw new ScimError(
      413,
      undefined,
      `a Bulk request may carry at most ${config.scim.bulkMaxOperations} operations, got ${operations.length}`,
    );
  }
  const failOnErrors = field(body, "failOnErrors");
  if (failOnErrors !== undefined && (typeof failOnErrors !== "number" || !Number.isInteger(failOnErrors) || failOnErrors < 1)) {
    throw invalidSyntax('"failOnErrors" must be a positive integer');
  }
  return { failOnErrors: failOnErrors as number | undefined, operations };
}

function parseOperation(raw: unknown): BulkOperation {
  if (!isObject(raw)) throw invalidSyntax("each operation must be an object");
  const method = field(raw, "method");
  const path = field(raw, "path");
  const bulkId = field(raw, "bulkId");
  const version = field(raw, "version");
  if (typeof method !== "string" || !["POST", "PUT", "PATCH", "DELETE"].includes(method.toUpperCase())) {
    throw invalidSyntax('"method" must be POST, PUT, PATCH or DELETE');
  }
  if (typeof path !== "string" || path === "") throw invalidSyntax('"path" is required');
  if (bulkId !== undefined && typeof bulkId !== "string") throw invalidSyntax('"bulkId" must be a string');
  const upper = method.toUpperCase() as BulkOperation["method"];
  if (upper === "POST" && !bulkId) throw invalidSyntax('"bulkId" is required for POST');
  return { method: upper, path, bulkId, version: typeof version === "string" ? version : undefined, data: field(raw, "data") };
}

const REFERENCE = /^bulkId:(.+)$/;

/** Replaces every `bulkId:<id>` string; returns the unresolved ids (nothing is replaced then). */
function resolveReferences<T>(value: T, created: Map<string, string>, missing: Set<string>): T {
  if (typeof value === "string") {
    const ref = REFERENCE.exec(value)?.[1];
    if (ref === undefined) return value;
    const id = created.get(ref);
    if (id === undefined) missing.add(ref);
    return (id ?? value) as T;
  }
  if (Array.isArray(value)) return value.map((v) => resolveReferences(v, created, missing)) as T;
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveReferences(v, created, missing);
    return out as T;
  }
  return value;
}

function resolvePath(path: string, created: Map<string, string>, missing: Set<string>): string {
  return path
    .split("/")
    .map((segment) => resolveReferences(segment, created, missing))
    .join("/");
}

interface Target {
  resourceType: "Users" | "Groups";
  id?: string;
}

function parsePath(path: string): Target {
  const match = /^\/?(Users|Groups)(?:\/([^/?]+))?\/?$/i.exec(path);
  if (!match) throw invalidValue(`unsupported Bulk path "${path}"; use /Users, /Users/{id}, /Groups or /Groups/{id}`);
  const resourceType = match[1]!.toLowerCase() === "users" ? "Users" : "Groups";
  return { resourceType, id: match[2] };
}

export interface BulkContext {
  db: Database;
  config: Config;
  directoryId: string;
  /** Tenant URL of the directory, for `location`. */
  baseUrl: string;
}

async function execute(
  ctx: BulkContext,
  op: BulkOperation,
  target: Target,
  data: unknown,
): Promise<{ id: string; version?: number; status: number }> {
  const { db, directoryId, config } = ctx;
  const limits = {
    maxOperations: config.scim.patchMaxOperations,
    maxMembers: config.scim.maxMembersPerRequest,
    maxResourceBytes: config.scim.maxResourceBytes,
  };
  const users = target.resourceType === "Users";
  if (op.method === "POST") {
    if (target.id) throw invalidValue("POST path must not name a resource id");
    const row = users
      ? await createUser(db, directoryId, data, limits.maxResourceBytes)
      : await createGroup(db, directoryId, data, limits.maxMembers, limits.maxResourceBytes);
    return { id: row.id, version: row.version, status: 201 };
  }
  if (!target.id) throw invalidValue(`${op.method} path must name a resource id`);
  const id = target.id;
  switch (op.method) {
    case "PUT": {
      const row = users
        ? await replaceUser(db, directoryId, id, data, op.version, limits.maxResourceBytes)
        : await replaceGroup(db, directoryId, id, data, limits.maxMembers, op.version, limits.maxResourceBytes);
      return { id, version: row.version, status: 200 };
    }
    case "PATCH": {
      const row = users
        ? await patchUser(db, directoryId, id, data, limits, op.version)
        : await patchGroup(db, directoryId, id, data, limits, op.version);
      return { id, version: row.version, status: 200 };
    }
    default:
      if (users) await deleteUser(db, directoryId, id, op.version);
      else await deleteGroup(db, directoryId, id, op.version);
      return { id, status: 204 };
  }
}

function failure(method: string, bulkId: string | undefined, error: ScimError): BulkOperationResult {
  return {
    method,
    ...(bulkId ? { bulkId } : {}),
    status: String(error.status),
    response: scimErrorBody(error.status, error.detail, error.scimType),
  };
}

/**
 * An operation's failure as its own status, so earlier operations (already committed) are still reported:
 * a value Postgres refuses is the client's (400), a database outage is 503. Anything else is a bug: thrown.
 */
function operationError(err: unknown): ScimError | undefined {
  if (err instanceof ScimError) return err;
  if (isRowDataError(err)) return invalidValue("a value of this operation cannot be stored");
  if (isDatabaseUnavailable(err)) return new ScimError(503, undefined, "the database is unavailable; retry this operation later");
  return undefined;
}

export async function processBulk(ctx: BulkContext, body: unknown): Promise<BulkResponse> {
  const { failOnErrors, operations } = parseBulkRequest(body, ctx.config);
  const results: (BulkOperationResult | undefined)[] = new Array(operations.length);
  const created = new Map<string, string>();
  const declared = new Set(
    operations.map((o) => (isObject(o) ? field(o, "bulkId") : undefined)).filter((b): b is string => typeof b === "string"),
  );
  let errors = 0;
  let unavailable = false;
  let pending = operations.map((_, i) => i);
  // Passes until nothing moves: an operation referring to a bulkId created later waits for it.
  while (pending.length > 0) {
    const waiting: number[] = [];
    for (const index of pending) {
      if (failOnErrors !== undefined && errors >= failOnErrors) break;
      const raw = operations[index];
      const rawMethod = isObject(raw) && typeof field(raw, "method") === "string" ? String(field(raw, "method")).toUpperCase() : "";
      const rawBulkId = isObject(raw) && typeof field(raw, "bulkId") === "string" ? String(field(raw, "bulkId")) : undefined;
      try {
        const op = parseOperation(raw);
        const missing = new Set<string>();
        const path = resolvePath(op.path, created, missing);
        const data = resolveReferences(op.data, created, missing);
        if (missing.size > 0) {
          const resolvable = [...missing].every((m) => declared.has(m) && m !== op.bulkId);
          if (resolvable) {
            waiting.push(index);
            continue;
          }
          throw new ScimError(
            409,
            "invalidValue",
            `bulkId reference ${[...missing].map((m) => `bulkId:${m}`).join(", ")} cannot be resolved`,
          );
        }
        const target = parsePath(path);
        const outcome = await execute(ctx, op, target, data);
        if (op.bulkId && op.method === "POST") created.set(op.bulkId, outcome.id);
        results[index] = {
          method: op.method,
          ...(op.bulkId ? { bulkId: op.bulkId } : {}),
          ...(outcome.version !== undefined ? { version: etagOf(outcome.version) } : {}),
          ...(op.method !== "DELETE" ? { location: `${ctx.baseUrl}/${target.resourceType}/${outcome.id}` } : {}),
          status: String(outcome.status),
        };
      } catch (err) {
        const error = operationError(err);
        if (!error) throw err;
        errors++;
        results[index] = failure(rawMethod, rawBulkId, error);
        // the database is gone: later operations would fail the same way; answer what happened so far
        if (error.status === 503) unavailable = true;
      }
      if (unavailable) break;
    }
    if (unavailable || (failOnErrors !== undefined && errors >= failOnErrors)) break;
    if (waiting.length === pending.length) {
      // a cycle or references to operations that failed: report each one
      for (const index of waiting) {
        const raw = operations[index] as Record<string, unknown>;
        results[index] = failure(
          String(field(raw, "method")).toUpperCase(),
          field(raw, "bulkId") as string | undefined,
          new ScimError(409, "invalidValue", "bulkId references cannot be resolved (failed operation or circular reference)"),
        );
        errors++;
      }
      break;
    }
    pending = waiting;
  }
  return { schemas: [BULK_RESPONSE_SCHEMA], Operations: results.filter((r): r is BulkOperationResult => r !== undefined) };
}
