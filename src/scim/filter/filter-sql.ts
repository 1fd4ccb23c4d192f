// Compiles a parsed SCIM filter into a boolean SQL expression over `scim_users u` / `scim_groups g`.
// Every literal is a bound parameter. Predicates may yield NULL where an attribute is missing; that
// reads as "no match" at top level, and `not` uses IS NOT TRUE so missing values negate to a match.

import { type Sql, sql, join, raw } from "../../db/sql.js";
import { invalidFilter } from "../errors.js";
import type { ScimResourceType } from "../schema/core-schemas.js";
import {
  canonicalSubAttribute,
  type ElementSource,
  jsonPresent,
  type Operand,
  resolveElementSource,
  resolveTarget,
} from "./attribute-storage.js";
import type { CompareNode, CompareOperator, FilterNode, FilterValue, ValuePathNode } from "./filter-ast.js";
import { parseScimFilter } from "./filter-parser.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// xsd:dateTime as RFC 7643 §2.3.5 uses it; a missing offset is read as UTC.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))?$/i;
const LIKE_ESCAPE = raw(`ESCAPE '\\'`);

/**
 * Most conditions per filter that run over JSONB or a subquery (not an indexed column): each costs a
 * per-row subplan, and a few dozen push Postgres into seconds of JIT compilation and execution.
 */
export const MAX_UNINDEXED_CONDITIONS = 10;

/** Accepts the filter text or an already parsed filter (parse early to reject bad input before any I/O). */
export function scimFilterToSql(resourceType: ScimResourceType, filter: string | FilterNode): Sql {
  return compileFilter(resourceType, typeof filter === "string" ? parseScimFilter(filter) : filter);
}

interface Budget {
  unindexed: number;
}

function spend(budget: Budget): void {
  if (++budget.unindexed > MAX_UNINDEXED_CONDITIONS) {
    throw invalidFilter(`Filter has more than ${MAX_UNINDEXED_CONDITIONS} conditions on non-indexed or multi-valued attributes`);
  }
}

export function compileFilter(resourceType: ScimResourceType, node: FilterNode, budget: Budget = { unindexed: 0 }): Sql {
  switch (node.type) {
    case "and":
    case "or":
      return sql`(${join(
        node.filters.map((f) => compileFilter(resourceType, f, budget)),
        node.type === "and" ? " AND " : " OR ",
      )})`;
    case "not":
      return sql`((${compileFilter(resourceType, node.filter, budget)}) IS NOT TRUE)`;
    case "valuePath":
      return compileValuePath(resourceType, node, budget);
    case "present":
    case "compare": {
      const target = resolveTarget(resourceType, node.attribute);
      if (target.kind !== "scalar" || target.operand.storage === "jsonb") spend(budget);
      if (target.kind === "scalar") return compileLeaf(target.operand, node);
      if (target.kind === "complex") {
        if (node.type === "present") return target.present;
        if (node.value === null) return sql`((${target.present}) IS NOT TRUE)`;
        throw invalidFilter(`${target.label} is complex; filter on a sub-attribute such as ${target.label}.value`);
      }
      const { source, sub } = target;
      // `emails pr` = a non-empty list; `emails.value pr` = some element has a value.
      if (node.type === "present" && !node.attribute.subAttribute) return source.nonEmpty();
      return elementLeaf(source, sub, node);
    }
  }
}

/** A leaf on a multi-valued attribute: true when some element matches (RFC 7644 §3.4.2.2). */
function elementLeaf(source: ElementSource, sub: string | undefined, node: CompareNode | { type: "present" }): Sql {
  const operand = source.element(sub);
  if (node.type === "compare" && node.value === null) {
    const present = source.exists(compileLeaf(operand, { type: "present" }));
    return node.operator === "eq" ? sql`(${present} IS NOT TRUE)` : present;
  }
  return source.exists(compileLeaf(operand, node));
}

function compileValuePath(resourceType: ScimResourceType, node: ValuePathNode, budget: Budget): Sql {
  const source = resolveElementSource(resourceType, node.attribute);
  const condition = compileElementFilter(source, node.filter, budget);
  const workEmail = resourceType === "User" && source.label === "emails" ? workEmailValue(node.filter) : undefined;
  // Entra matches on emails[type eq "work"].value eq "x". The indexed u.email column holds the lowered
  // work email (else primary, else first), so it is a necessary condition for a work-email match and
  // narrows by index; the EXISTS keeps the result exact.
  if (workEmail !== undefined) return sql`(u.email = lower(${workEmail}::text) AND ${source.exists(condition)})`;
  return source.exists(condition);
}

function workEmailValue(filter: FilterNode): string | undefined {
  if (filter.type !== "and" || filter.filters.length !== 2) return undefined;
  const leaves = filter.filters.filter((f): f is CompareNode => f.type === "compare" && f.operator === "eq" && typeof f.value === "string");
  const type = leaves.find((l) => l.attribute.name.toLowerCase() === "type" && (l.value as string).toLowerCase() === "work");
  const value = leaves.find((l) => l.attribute.name.toLowerCase() === "value");
  return type && value && leaves.length === 2 ? (value.value as string) : undefined;
}

function compileElementFilter(source: ElementSource, node: FilterNode, budget: Budget): Sql {
  switch (node.type) {
    case "and":
    case "or":
      return sql`(${join(
        node.filters.map((f) => compileElementFilter(source, f, budget)),
        node.type === "and" ? " AND " : " OR ",
      )})`;
    case "not":
      return sql`((${compileElementFilter(source, node.filter, budget)}) IS NOT TRUE)`;
    case "valuePath":
      throw invalidFilter("Value paths cannot be nested");
    case "present":
    case "compare": {
      spend(budget);
      const operand = source.element(canonicalSubAttribute(source, node.attribute.name));
      if (operand.attribute?.type === "complex") throw invalidFilter(`${operand.label} is complex and cannot be compared`);
      return compileLeaf(operand, node);
    }
  }
}

type Leaf = CompareNode | { type: "present" };

function compileLeaf(operand: Operand, node: Leaf): Sql {
  if (node.type === "present") return present(operand);
  const { operator, value } = node;
  if (value === null) {
    if (operator === "eq") return sql`(${present(operand)} IS NOT TRUE)`;
    if (operator === "ne") return present(operand);
    throw invalidFilter(`"${operator} null" is not supported on ${operand.label}; use eq null, ne null or pr`);
  }
  const type = operand.attribute ? operand.attribute.type : literalType(value);
  switch (type) {
    case "boolean":
      return compareBoolean(operand, operator, value);
    case "dateTime":
      return compareDateTime(operand, operator, value);
    case "integer":
    case "decimal":
      return compareNumber(operand, operator, value);
    case "complex":
      throw invalidFilter(`${operand.label} is complex; filter on a sub-attribute`);
    default:
      return compareString(operand, operator, value);
  }
}

function literalType(value: Exclude<FilterValue, null>): "string" | "boolean" | "decimal" {
  return typeof value === "boolean" ? "boolean" : typeof value === "number" ? "decimal" : "string";
}

function present(operand: Operand): Sql {
  const e = operand.sql;
  switch (operand.storage) {
    case "text":
      return sql`(${e} <> '')`;
    case "jsonb":
      return jsonPresent(e);
    default:
      return sql`(${e} IS NOT NULL)`;
  }
}

const SQL_OPERATORS: Record<"eq" | "gt" | "ge" | "lt" | "le", string> = { eq: "=", gt: ">", ge: ">=", lt: "<", le: "<=" };

/** `left op right`, with ne as "not equal, or missing". */
function relation(left: Sql, operator: CompareOperator, right: Sql): Sql {
  if (operator === "ne") return sql`((${left} = ${right}) IS NOT TRUE)`;
  return sql`(${left} ${raw(SQL_OPERATORS[operator as keyof typeof SQL_OPERATORS])} ${right})`;
}

function compareBoolean(operand: Operand, operator: CompareOperator, value: Exclude<FilterValue, null>): Sql {
  if (typeof value !== "boolean") throw invalidFilter(`${operand.label} is boolean; compare it with true or false`);
  if (operator !== "eq" && operator !== "ne") throw invalidFilter(`Operator "${operator}" is not supported on boolean ${operand.label}`);
  const right = operand.storage === "jsonb" ? sql`to_jsonb(${value}::boolean)` : sql`${value}::boolean`;
  return relation(operand.sql, operator, right);
}

function compareDateTime(operand: Operand, operator: CompareOperator, value: Exclude<FilterValue, null>): Sql {
  if (operator === "co" || operator === "sw" || operator === "ew") {
    throw invalidFilter(`Operator "${operator}" is not supported on dateTime ${operand.label}`);
  }
  if (typeof value !== "string" || !isDateTime(value)) {
    throw invalidFilter(
      `${operand.label} is a dateTime; expected a quoted xsd:dateTime such as "2026-01-31T12:00:00Z", got ${JSON.stringify(value)}`,
    );
  }
  const iso = /(Z|[+-]\d{2}:\d{2})$/i.test(value) ? value : `${value}Z`;
  if (operand.storage !== "timestamptz") throw invalidFilter(`${operand.label} is not filterable`);
  return relation(operand.sql, operator, sql`${iso}::timestamptz`);
}

/** Validates field ranges too (Postgres would reject "2026-02-30" with an error, not a 400). */
export function isDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (year < 1 || hour > 23 || minute > 59 || second > 59) return false;
  if (m[9] !== undefined && (Number(m[9]) > 15 || Number(m[10]) > 59)) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  d.setUTCFullYear(year);
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function compareNumber(operand: Operand, operator: CompareOperator, value: Exclude<FilterValue, null>): Sql {
  if (typeof value !== "number") throw invalidFilter(`${operand.label} is a number; compare it with a number`);
  if (operator === "co" || operator === "sw" || operator === "ew") {
    throw invalidFilter(`Operator "${operator}" is not supported on numbers (${operand.label})`);
  }
  const left = sql`(SELECT CASE WHEN jsonb_typeof(s.j) = 'number' THEN (s.j #>> '{}')::numeric END FROM (SELECT ${operand.sql} AS j) AS s)`;
  return relation(left, operator, sql`${String(value)}::numeric`);
}

/** Escapes LIKE metacharacters so a co/sw/ew value matches literally. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function compareString(operand: Operand, operator: CompareOperator, value: Exclude<FilterValue, null>): Sql {
  if (typeof value !== "string") throw invalidFilter(`${operand.label} is a string; compare it with a "quoted string"`);
  if (operand.storage === "uuid" && (operator === "eq" || operator === "ne") && UUID.test(value)) {
    return relation(operand.sql, operator, sql`${value}::uuid`);
  }
  let text: Sql;
  if (operand.storage === "jsonb") {
    text = sql`(SELECT CASE WHEN jsonb_typeof(s.j) IN ('string', 'number', 'boolean') THEN s.j #>> '{}' END FROM (SELECT ${operand.sql} AS j) AS s)`;
  } else if (operand.storage === "uuid") {
    text = sql`(${operand.sql}::text)`;
  } else {
    text = operand.sql;
  }
  const caseExact = operand.attribute?.caseExact ?? false;
  const left = caseExact || operand.lowered ? text : sql`lower(${text})`;
  const right = (v: string) => (caseExact ? sql`${v}::text` : sql`lower(${v}::text)`);
  switch (operator) {
    case "co":
      return sql`(${left} LIKE ${right(`%${escapeLike(value)}%`)} ${LIKE_ESCAPE})`;
    case "sw":
      return sql`(${left} LIKE ${right(`${escapeLike(value)}%`)} ${LIKE_ESCAPE})`;
    case "ew":
      return sql`(${left} LIKE ${right(`%${escapeLike(value)}`)} ${LIKE_ESCAPE})`;
    case "eq":
    case "ne":
      return relation(left, operator, right(value));
    default:
      // Lexical order by code point, independent of the database collation.
      return relation(sql`${left} COLLATE "C"`, operator, right(value));
  }
}
