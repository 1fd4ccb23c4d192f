// RFC 7644 §3.4.2.3 sorting → an ORDER BY list ending in the id tiebreaker, so pages are stable.
// Unknown or unsortable sortBy and a bad sortOrder are 400 "invalidValue": they are not filters
// (invalidFilter is defined as a filter syntax/comparison problem, RFC 7644 Table 9), and the
// parameter's value is what is incompatible with the resource schema.

import { type Sql, sql, raw } from "../../db/sql.js";
import { invalidValue, ScimError } from "../errors.js";
import type { ScimResourceType } from "../schema/core-schemas.js";
import { type Operand, resolveTarget } from "./attribute-storage.js";
import { parseAttributePath } from "./filter-parser.js";

export function scimSortToSql(resourceType: ScimResourceType, sortBy: string | undefined, sortOrder: string | undefined): Sql {
  const alias = resourceType === "User" ? "u" : "g";
  const order = sortOrder === undefined || sortOrder === "" ? "ascending" : sortOrder.toLowerCase();
  if (order !== "ascending" && order !== "descending") {
    throw invalidValue(`sortOrder must be "ascending" or "descending"; got ${JSON.stringify(sortOrder)}`);
  }
  // RFC: missing values sort last when ascending, first when descending (Postgres' own NULL order).
  const direction = raw(order === "ascending" ? "ASC NULLS LAST" : "DESC NULLS FIRST");
  const tiebreak = raw(`${alias}.id ${order === "ascending" ? "ASC" : "DESC"}`);
  if (sortBy === undefined || sortBy.trim() === "") return sql`${raw(`${alias}.created_at`)} ${direction}, ${tiebreak}`;
  return sql`${sortKey(resourceType, sortBy.trim())} ${direction}, ${tiebreak}`;
}

function sortKey(resourceType: ScimResourceType, sortBy: string): Sql {
  let operand: Operand;
  try {
    const target = resolveTarget(resourceType, parseAttributePath(sortBy, 1));
    if (target.kind === "complex")
      throw invalidValue(`sortBy ${JSON.stringify(sortBy)} is complex; sort by a sub-attribute such as name.familyName`);
    if (target.kind === "elements") {
      const key = target.source.sortKey?.(target.sub);
      if (!key) throw invalidValue(`sortBy ${JSON.stringify(sortBy)} is not sortable`);
      operand = key;
    } else {
      operand = target.operand;
    }
  } catch (e) {
    if (e instanceof ScimError && e.scimType === "invalidFilter") throw invalidValue(`sortBy: ${e.detail}`);
    throw e;
  }
  if (operand.storage !== "jsonb") {
    const caseInsensitive = operand.storage === "text" && !operand.lowered && !(operand.attribute?.caseExact ?? false);
    return caseInsensitive ? sql`lower(${operand.sql})` : operand.sql;
  }
  // JSON scalars: numbers and booleans keep their order as jsonb; strings sort case-insensitively.
  const e = operand.sql;
  const type = operand.attribute?.type;
  if (type === "boolean" || type === "integer" || type === "decimal") return e;
  const text = sql`(${e} #>> '{}')`;
  return operand.attribute?.caseExact ? text : sql`lower(${text})`;
}
