import type { ScimJson } from "../resource/user-attributes.js";
import { type AppAttributeType, type AppAttributeValue, coerceValues } from "./attribute-coercion.js";
import type { MappingPath } from "./mapping-path.js";
import { valuesAtPath } from "./path-values.js";

// The app-facing attributes of one User resource, computed from its SCIM resource by a directory's
// mapping: each declared attribute read at its path and given its declared type. Problems are reported
// as warnings beside the result, never thrown: the IdP's write is always accepted.

export interface MappedAttribute {
  name: string;
  type: AppAttributeType;
  required: boolean;
  /** undefined: the attribute has no path in this directory (null for every user). */
  path?: MappingPath;
}

export type MappingWarningKind = "type_mismatch" | "required_missing";

export interface MappingWarning {
  attribute: string;
  kind: MappingWarningKind;
  scimPath: string;
  expectedType: AppAttributeType;
  /** The value that did not convert, as JSON, truncated (type_mismatch only). */
  example: string | null;
}

export type AppAttributes = Record<string, AppAttributeValue | null>;

export const MAX_WARNING_EXAMPLE_CHARS = 100;

function example(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > MAX_WARNING_EXAMPLE_CHARS ? `${text.slice(0, MAX_WARNING_EXAMPLE_CHARS)}…` : text;
}

export function mapAttributes(
  resource: ScimJson,
  mapping: readonly MappedAttribute[],
): { attributes: AppAttributes; warnings: MappingWarning[] } {
  const attributes: AppAttributes = {};
  const warnings: MappingWarning[] = [];
  for (const a of mapping) {
    const scimPath = a.path?.raw ?? "";
    const coerced = a.path ? coerceValues(a.type, valuesAtPath(resource, a.path)) : ({ ok: true, value: null } as const);
    if (coerced.ok) {
      attributes[a.name] = coerced.value;
      if (coerced.value === null && a.required) {
        warnings.push({ attribute: a.name, kind: "required_missing", scimPath, expectedType: a.type, example: null });
      }
    } else {
      attributes[a.name] = null;
      warnings.push({ attribute: a.name, kind: "type_mismatch", scimPath, expectedType: a.type, example: example(coerced.bad) });
    }
  }
  return { attributes, warnings };
}

/** Same values, key by key (a declared attribute absent from one side counts as null). */
export function sameAttributes(a: AppAttributes, b: AppAttributes): boolean {
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[key] ?? null) !== JSON.stringify(b[key] ?? null)) return false;
  }
  return true;
}
