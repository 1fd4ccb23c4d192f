import { invalidValue } from "../errors.js";
import { ENTERPRISE_USER_SCHEMA } from "../schema/core-schemas.js";

// Reading well-known values out of a stored SCIM User resource (JSON as the IdP sent it). The
// promoted columns, the app-facing User and events all derive from these, so they never disagree.

export type ScimJson = Record<string, unknown>;

function isObject(v: unknown): v is ScimJson {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

/** Attribute names are case-insensitive (RFC 7643 §2.1): finds `key` in `obj` in any case. */
export function getCaseless(obj: ScimJson, key: string): unknown {
  if (key in obj) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

/** The email an app should use: the work email, else the primary one, else the first (original case). */
export function pickEmail(resource: ScimJson): string | null {
  const emails = getCaseless(resource, "emails");
  if (!Array.isArray(emails)) return null;
  const candidates = emails.filter((e): e is ScimJson => isObject(e) && str(getCaseless(e, "value")) !== null);
  const work = candidates.find((e) => String(getCaseless(e, "type") ?? "").toLowerCase() === "work");
  const primary = candidates.find((e) => {
    const p = getCaseless(e, "primary");
    return p === true || (typeof p === "string" && p.toLowerCase() === "true");
  });
  const chosen = work ?? primary ?? candidates[0];
  return chosen ? str(getCaseless(chosen, "value")) : null;
}

export function userNameOf(resource: ScimJson): string | null {
  return str(getCaseless(resource, "userName"));
}

export function externalIdOf(resource: ScimJson): string | null {
  const v = getCaseless(resource, "externalId");
  return typeof v === "string" ? v : null;
}

export function displayNameOf(resource: ScimJson): string | null {
  return str(getCaseless(resource, "displayName"));
}

export function nameParts(resource: ScimJson): { givenName: string | null; familyName: string | null } {
  const name = getCaseless(resource, "name");
  if (!isObject(name)) return { givenName: null, familyName: null };
  return { givenName: str(getCaseless(name, "givenName")), familyName: str(getCaseless(name, "familyName")) };
}

/** RFC 7643 default for a missing `active` is left to the provider; an absent value means active. */
export function activeOf(resource: ScimJson): boolean {
  const v = getCaseless(resource, "active");
  if (typeof v === "boolean") return v;
  if (typeof v === "string") return v.toLowerCase() !== "false";
  return true;
}

export function enterpriseOf(resource: ScimJson): ScimJson {
  const lower = ENTERPRISE_USER_SCHEMA.toLowerCase();
  for (const k of Object.keys(resource)) {
    if (k.toLowerCase() === lower && isObject(resource[k])) return resource[k] as ScimJson;
  }
  return {};
}

/** manager.value, whichever form the IdP used (object with value, or a bare id string). */
export function managerIdOf(resource: ScimJson): string | null {
  const manager = getCaseless(enterpriseOf(resource), "manager");
  if (typeof manager === "string") return str(manager);
  if (isObject(manager)) return str(getCaseless(manager, "value"));
  return null;
}

/** Extension objects keyed by their schema URN (enterprise and custom ones alike). */
export function extensionsOf(resource: ScimJson): Record<string, ScimJson> {
  const out: Record<string, ScimJson> = {};
  for (const [k, v] of Object.entries(resource)) {
    if (k.toLowerCase().startsWith("urn:") && isObject(v)) out[k] = v;
  }
  return out;
}

/** The columns promoted out of a User resource for indexes and filters. */
export interface PromotedUserColumns {
  userName: string;
  userNameNorm: string;
  externalId: string | null;
  active: boolean;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
}

/** Most UTF-8 bytes of an indexed column: a longer value would overflow its btree index row (2704 bytes). */
export const MAX_INDEXED_TEXT_BYTES = 2048;

/** An indexed attribute too long to store is the client's mistake (400), not a database failure. */
export function checkIndexedText(attribute: string, value: string | null): void {
  if (value !== null && Buffer.byteLength(value, "utf8") > MAX_INDEXED_TEXT_BYTES) {
    throw invalidValue(`"${attribute}" is longer than ${MAX_INDEXED_TEXT_BYTES} bytes`);
  }
}

export function promoteUserColumns(resource: ScimJson): PromotedUserColumns {
  const userName = userNameOf(resource) ?? "";
  const email = pickEmail(resource);
  const cols = {
    userName,
    userNameNorm: userName.toLowerCase(),
    externalId: externalIdOf(resource),
    active: activeOf(resource),
    displayName: displayNameOf(resource),
    ...nameParts(resource),
    email: email ? email.toLowerCase() : null,
  };
  checkIndexedText("userName", cols.userNameNorm);
  checkIndexedText("externalId", cols.externalId);
  checkIndexedText("emails.value", cols.email);
  return cols;
}
