import { invalidSyntax, invalidValue, noTarget } from "../errors.js";
import { assertStorableJson } from "../resource/storable-json.js";
import { findKey, isPlainObject } from "./safe-object.js";

// Validates a PATCH body (RFC 7644 §3.5.2) and normalises IdP spellings: "Operations"/"operations",
// "Add"/"add"/"ADD". Paths are checked against the schema later, by applyPatch.

export const PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

export type PatchOpName = "add" | "replace" | "remove";

export interface PatchOperation {
  op: PatchOpName;
  path?: string;
  value?: unknown;
}

export interface PatchLimits {
  maxOperations: number;
  /** Most member values all operations together may carry. */
  maxMembers: number;
  /** Stored size limit of the patched resource (SCIM_MAX_RESOURCE_BYTES); checked by the services. */
  maxResourceBytes?: number;
}

export function parsePatchRequest(body: unknown, limits: PatchLimits): PatchOperation[] {
  if (!isPlainObject(body)) throw invalidSyntax("PATCH body must be a JSON object");
  assertStorableJson(body);
  const schemasKey = findKey(body, "schemas");
  const schemas = schemasKey === undefined ? undefined : body[schemasKey];
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === "string" && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())) {
    throw invalidSyntax(`"schemas" must contain "${PATCH_OP_SCHEMA}"`);
  }
  const operationsKey = findKey(body, "Operations");
  const operations = operationsKey === undefined ? undefined : body[operationsKey];
  if (!Array.isArray(operations) || operations.length === 0) throw invalidSyntax('"Operations" must be a non-empty array');
  // invalidValue, not tooMany: RFC 7644 §3.12 reserves tooMany for filters that match too many resources.
  if (operations.length > limits.maxOperations) {
    throw invalidValue(`a PATCH request may carry at most ${limits.maxOperations} operations, got ${operations.length}`);
  }
  const parsed = operations.map((operation, index) => parseOperation(operation, index));
  const members = parsed.reduce((total, operation) => total + countMemberValues(operation), 0);
  if (members > limits.maxMembers) {
    throw invalidValue(`a PATCH request may change at most ${limits.maxMembers} members, got ${members}`);
  }
  return parsed;
}

function parseOperation(operation: unknown, index: number): PatchOperation {
  const where = `Operations[${index}]`;
  if (!isPlainObject(operation)) throw invalidSyntax(`${where} must be an object`);
  const opKey = findKey(operation, "op");
  const opValue = opKey === undefined ? undefined : operation[opKey];
  const op = typeof opValue === "string" ? opValue.toLowerCase() : undefined;
  if (op !== "add" && op !== "replace" && op !== "remove") {
    throw invalidSyntax(`${where}.op must be "add", "replace" or "remove"`);
  }
  const pathKey = findKey(operation, "path");
  const rawPath = pathKey === undefined ? undefined : operation[pathKey];
  if (rawPath !== undefined && rawPath !== null && typeof rawPath !== "string") throw invalidSyntax(`${where}.path must be a string`);
  const path = typeof rawPath === "string" && rawPath.trim() !== "" ? rawPath : undefined;
  const valueKey = findKey(operation, "value");
  const hasValue = valueKey !== undefined && operation[valueKey] !== undefined;

  if (op === "remove") {
    if (path === undefined) throw noTarget(`${where}: "remove" requires a "path"`);
    return hasValue ? { op, path, value: operation[valueKey!] } : { op, path };
  }
  if (!hasValue) throw invalidSyntax(`${where}: "${op}" requires a "value"`);
  const value = operation[valueKey!];
  if (path === undefined && !isPlainObject(value) && !(Array.isArray(value) && value.length > 0 && value.every(isPlainObject))) {
    throw invalidValue(`${where}: without a "path", "value" must be an object of attributes`);
  }
  return path === undefined ? { op, value } : { op, path, value };
}

const GROUP_URN_PREFIX = "urn:ietf:params:scim:schemas:core:2.0:group:";

/** Member values in one operation: `members` paths and `members` keys of a no-path value. */
function countMemberValues(operation: PatchOperation): number {
  if (operation.path !== undefined) {
    let path = operation.path.trim().toLowerCase();
    if (path.startsWith(GROUP_URN_PREFIX)) path = path.slice(GROUP_URN_PREFIX.length);
    if (path !== "members" && !path.startsWith("members[") && !path.startsWith("members.")) return 0;
    return countValues(operation.value);
  }
  const objects = Array.isArray(operation.value) ? operation.value : [operation.value];
  return objects.reduce<number>((total, object) => {
    if (!isPlainObject(object)) return total;
    const key = findKey(object, "members");
    return total + (key === undefined ? 0 : countValues(object[key]));
  }, 0);
}

function countValues(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  return value === undefined || value === null ? 0 : 1;
}
