import { type Sql, sql } from "../db/sql.js";

// The one definition of a user's roles, as SQL over the directory's role mapping (control-plane tables
// read in data-plane statements): every role that a rule matching one of the user's groups gives, highest
// priority first (a role reached by several rules takes its highest), ties by name; when no rule matches,
// [defaultRole]; with no mapping or no default, none.

/** [defaultRole] of the directory `directoryId` (an SQL expression), or '{}' with no mapping or no default. */
export function defaultRolesSql(directoryId: Sql): Sql {
  return sql`coalesce((SELECT ARRAY[rm.default_role] FROM directory_role_mappings rm
    WHERE rm.directory_id = ${directoryId} AND rm.default_role IS NOT NULL), '{}'::text[])`;
}

/** The roles of the scim_users row aliased `u`, from its memberships as the statement sees them. */
export const COMPUTED_ROLES = sql`coalesce(
  (SELECT array_agg(x.role ORDER BY x.p DESC, x.role) FROM (
     SELECT r.role, max(r.priority) AS p
     FROM group_members gm JOIN scim_groups g ON g.id = gm.group_id
     JOIN directory_role_rules r ON r.directory_id = u.directory_id AND (r.group_id = g.id OR r.display_name_norm = g.display_name_norm)
     WHERE gm.user_id = u.id GROUP BY r.role) x),
  ${defaultRolesSql(sql`u.directory_id`)})`;

/** A scalar: true when the directory `directoryId` (an SQL expression) has a role mapping. */
export function hasRoleMappingSql(directoryId: Sql): Sql {
  return sql`EXISTS (SELECT 1 FROM directory_role_mappings rm WHERE rm.directory_id = ${directoryId})`;
}
