// Turns the values a SCIM path selected into the type the app declared. IdPs send numbers and booleans as
// strings (Entra always does), so those convert; anything that cannot convert is a mismatch, never a
// refused SCIM request: the attribute becomes null and the directory shows a warning.

export const APP_ATTRIBUTE_TYPES = ["string", "number", "boolean", "date", "string[]"] as const;
export type AppAttributeType = (typeof APP_ATTRIBUTE_TYPES)[number];
export type AppAttributeValue = string | number | boolean | string[];

export type Coerced = { ok: true; value: AppAttributeValue | null } | { ok: false; bad: unknown };

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
// ISO 8601 dates and date-times (what SCIM's dateTime is), and RFC 2822-like dates with a month name
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const MONTH_NAME = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b/i;

function toNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string" && NUMBER.test(v.trim())) return Number(v.trim());
  return undefined;
}

function toBoolean(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v === "string" && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === "true";
  return undefined;
}

function toDate(v: unknown): string | undefined {
  if (typeof v !== "string") return undefined;
  const text = v.trim();
  if (!ISO_DATE.test(text) && !MONTH_NAME.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function toText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

const SINGLE: Record<Exclude<AppAttributeType, "string[]">, (v: unknown) => AppAttributeValue | undefined> = {
  string: toText,
  number: toNumber,
  boolean: toBoolean,
  date: toDate,
};

/** `values` as valuesAtPath returns them; a singular type takes the first value. */
export function coerceValues(type: AppAttributeType, values: readonly unknown[]): Coerced {
  if (values.length === 0) return { ok: true, value: null };
  if (type === "string[]") {
    const out: string[] = [];
    for (const v of values) {
      const text = toText(v);
      if (text === undefined) return { ok: false, bad: v };
      out.push(text);
    }
    return { ok: true, value: out };
  }
  const value = SINGLE[type](values[0]);
  return value === undefined ? { ok: false, bad: values[0] } : { ok: true, value };
}
