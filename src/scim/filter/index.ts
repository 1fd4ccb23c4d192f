// SCIM filtering and sorting (RFC 7644 §3.4.2.2–3) compiled to SQL fragments over
// `scim_users u` / `scim_groups g`. Callers add the directory scope themselves:
//   SELECT ... FROM scim_users u WHERE u.directory_id = $dir AND (<scimFilterToSql(...)>) ORDER BY <scimSortToSql(...)>
export type {
  AttributePath,
  CompareNode,
  CompareOperator,
  FilterNode,
  FilterValue,
  LogicalNode,
  NotNode,
  PresentNode,
  ValuePathNode,
} from "./filter-ast.js";
export { MAX_FILTER_BYTES, MAX_FILTER_DEPTH, parseScimFilter } from "./filter-parser.js";
export { compileFilter, MAX_UNINDEXED_CONDITIONS, scimFilterToSql } from "./filter-sql.js";
export { scimSortToSql } from "./sort-sql.js";
