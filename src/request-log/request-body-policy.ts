import type { RequestLogBodyPolicy } from "../config.js";

// What of a SCIM request body the request log keeps (SCIM_REQUEST_LOG_BODY):
//   none     - nothing;
//   redacted - the shape (schemas, ids, externalId, active, PATCH ops and paths) with personal data
//              replaced by "[redacted]" and secrets dropped: enough to see what the IdP tried to do;
//   full     - the body as sent, except secrets, which are never kept.
// Always cut to MAX_LOGGED_BODY_BYTES, and to MAX_LOGGED_BODY_DEPTH levels of nesting: a SCIM body is a few
// levels deep, and walking a hostile one 20,000 levels deep would overflow the stack.

export const MAX_LOGGED_BODY_BYTES = 4096;
export const MAX_LOGGED_BODY_DEPTH = 32;
const REDACTED = "[redacted]";
const TRUNCATED_MARK = "…[truncated]";
/** Stands for a value nested deeper than MAX_LOGGED_BODY_DEPTH. */
export const TOO_DEEP_MARK = "[nested too deep]";

/** Attributes that hold personal data (RFC 7643 User attributes plus the enterprise extension's). */
const PERSONAL = new Set(
  [
    "userName",
    "name",
    "displayName",
    "nickName",
    "givenName",
    "familyName",
    "middleName",
    "formatted",
    "honorificPrefix",
    "honorificSuffix",
    "title",
    "emails",
    "phoneNumbers",
    "addresses",
    "ims",
    "photos",
    "profileUrl",
    "x509Certificates",
    "employeeNumber",
    "manager",
  ].map((a) => a.toLowerCase()),
);
const SECRET = /password|secret|token|credential/i;

/** The attribute a key or PATCH path names: `emails[type eq "work"].value` → emails, `urn:…:User:manager` → manager. */
function attributeOf(keyOrPath: string): string {
  const withoutUrn = keyOrPath.startsWith("urn:") ? keyOrPath.slice(keyOrPath.lastIndexOf(":") + 1) : keyOrPath;
  return withoutUrn.split(/[.[]/, 1)[0]!.toLowerCase();
}

function isPersonal(keyOrPath: string, groupResource: boolean): boolean {
  const attribute = attributeOf(keyOrPath);
  // a group's displayName names the group, not a person; support needs to see it
  if (groupResource && attribute === "displayname") return false;
  return PERSONAL.has(attribute);
}

function redact(value: unknown, groupResource: boolean, depth = 0): unknown {
  if (!value || typeof value !== "object") return value;
  if (depth >= MAX_LOGGED_BODY_DEPTH) return TOO_DEEP_MARK;
  if (Array.isArray(value)) return value.map((v) => redact(v, groupResource, depth + 1));
  const out: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  const patchPath = typeof record.path === "string" && typeof record.op === "string" ? record.path : undefined;
  for (const [key, v] of Object.entries(record)) {
    if (SECRET.test(key)) continue;
    if (key === "value" && patchPath !== undefined && (SECRET.test(patchPath) || isPersonal(patchPath, groupResource))) {
      out[key] = REDACTED;
    } else if (isPersonal(key, groupResource)) {
      out[key] = v === null || v === "" ? v : REDACTED;
    } else {
      out[key] = redact(v, groupResource, depth + 1);
    }
  }
  return out;
}

function withoutSecrets(value: unknown, depth = 0): unknown {
  if (!value || typeof value !== "object") return value;
  if (depth >= MAX_LOGGED_BODY_DEPTH) return TOO_DEEP_MARK;
  if (Array.isArray(value)) return value.map((v) => withoutSecrets(v, depth + 1));
  const record = value as Record<string, unknown>;
  const patchPath = typeof record.path === "string" ? record.path : "";
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) {
    if (SECRET.test(key)) continue;
    out[key] = key === "value" && SECRET.test(patchPath) ? REDACTED : withoutSecrets(v, depth + 1);
  }
  return out;
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  const room = maxBytes - Buffer.byteLength(TRUNCATED_MARK, "utf8");
  // cut on a character boundary: decode the byte prefix and drop a trailing partial character
  const cut = Buffer.from(text, "utf8")
    .subarray(0, room)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
  return cut + TRUNCATED_MARK;
}

/** The text kept in the request log for a request body (undefined/empty bodies → null). */
export function loggedRequestBody(body: unknown, policy: RequestLogBodyPolicy, resourcePath: string): string | null {
  if (policy === "none" || body === undefined || body === null || body === "") return null;
  const groupResource = /^\/groups\b/i.test(resourcePath);
  const kept = policy === "redacted" ? redact(body, groupResource) : withoutSecrets(body);
  const text = typeof kept === "string" ? kept : JSON.stringify(kept);
  return truncateUtf8(text, MAX_LOGGED_BODY_BYTES);
}

/** A query string for the log: decoded for reading; under "redacted", quoted filter values become "[redacted]". */
export function loggedQuery(rawQuery: string, policy: RequestLogBodyPolicy): string | null {
  if (rawQuery === "") return null;
  const parts: string[] = [];
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    const shown = policy === "redacted" && name.toLowerCase() === "filter" ? value.replace(/"(?:[^"\\]|\\.)*"/g, `"${REDACTED}"`) : value;
    parts.push(`${name}=${shown}`);
  }
  return truncateUtf8(parts.join("&"), 2048);
}
