import { randomUUID } from "node:crypto";
import type { Database } from "../db/database.js";
import { isForeignKeyViolation, isUniqueViolation } from "../db/db-errors.js";
import { assertDirectoryExists } from "../directories/directory-service.js";
import type { AppRole as AppRoleRow } from "../generated/prisma/client.js";
import { recomputeUserRoles } from "./role-recompute.js";

// The app's declared roles and each directory's mapping of IdP groups to them: control plane (Prisma).
// Changing a mapping recomputes the roles of all the directory's users (role-recompute.ts) right after
// the mapping commits; the recompute is idempotent, so PUTting the same mapping again repairs a recompute
// that failed after the commit.

export class RoleInUse extends Error {}
export class InvalidRoleMapping extends Error {}
export class RoleNotFound extends Error {}

export interface AppRole {
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

export type RoleMatch = { groupId: string } | { displayName: string };

export interface RoleRule {
  match: RoleMatch;
  role: string;
  priority: number;
}

export interface RoleMapping {
  defaultRole: string | null;
  rules: RoleRule[];
}

export interface RoleMappingWritten extends RoleMapping {
  /** How many users' roles changed (each got a user.roles_changed). */
  usersChanged: number;
}

function view(row: AppRoleRow): AppRole {
  return { name: row.name, description: row.description, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

export async function listRoles(db: Database): Promise<AppRole[]> {
  return (await db.prisma.appRole.findMany({ orderBy: { name: "asc" } })).map(view);
}

/** Declares a role or changes its description; `created` says which. */
export async function putRole(
  db: Database,
  name: string,
  input: { description?: string | null },
): Promise<{ role: AppRole; created: boolean }> {
  const description = input.description ?? null;
  try {
    return { role: view(await db.prisma.appRole.create({ data: { name, description } })), created: true };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  return { role: view(await db.prisma.appRole.update({ where: { name }, data: { description, updatedAt: new Date() } })), created: false };
}

/** Removes a declared role; refused while a directory's mapping names it (rule or default role: the foreign keys say so). */
export async function deleteRole(db: Database, name: string): Promise<void> {
  try {
    const { count } = await db.prisma.appRole.deleteMany({ where: { name } });
    if (count === 0) throw new RoleNotFound(`role "${name}" is not declared`);
  } catch (err) {
    if (!isForeignKeyViolation(err)) throw err;
    const users = await db.prisma.directoryRoleMapping.findMany({
      where: { OR: [{ defaultRole: name }, { rules: { some: { role: name } } }] },
      select: { directoryId: true },
      orderBy: { directoryId: "asc" },
      take: 5,
    });
    throw inUse(
      name,
      users.map((u) => u.directoryId),
    );
  }
}

function inUse(name: string, directoryIds: string[]): RoleInUse {
  const which = directoryIds.length > 0 ? `: directories ${directoryIds.join(", ")}` : "";
  return new RoleInUse(`role "${name}" is used by a directory's role mapping${which}; change those mappings first`);
}

export async function getRoleMapping(db: Database, directoryId: string): Promise<RoleMapping> {
  await assertDirectoryExists(db, directoryId);
  const row = await db.prisma.directoryRoleMapping.findUnique({
    where: { directoryId },
    include: { rules: { orderBy: { position: "asc" } } },
  });
  if (!row) return { defaultRole: null, rules: [] };
  return {
    defaultRole: row.defaultRole,
    rules: row.rules.map((r) => ({
      match: r.groupId !== null ? { groupId: r.groupId } : { displayName: r.displayName! },
      role: r.role,
      priority: r.priority,
    })),
  };
}

function matchKey(match: RoleMatch): string {
  return "groupId" in match ? `groupId ${match.groupId.toLowerCase()}` : `displayName "${match.displayName.toLowerCase()}"`;
}

/** Checks what the schema cannot: declared roles, and no two rules with the same match. */
async function checkRoleMapping(db: Database, mapping: RoleMapping): Promise<void> {
  const seen = new Map<string, number>();
  mapping.rules.forEach((rule, i) => {
    const key = matchKey(rule.match);
    if ("displayName" in rule.match && rule.match.displayName.trim() === "")
      throw new InvalidRoleMapping(`rules[${i}].match.displayName must not be blank`);
    const first = seen.get(key);
    if (first !== undefined) throw new InvalidRoleMapping(`rules[${i}] matches the same group as rules[${first}] (${key})`);
    seen.set(key, i);
  });
  const named = [...new Set([...(mapping.defaultRole !== null ? [mapping.defaultRole] : []), ...mapping.rules.map((r) => r.role)])];
  const declared = new Set(
    (await db.prisma.appRole.findMany({ where: { name: { in: named } }, select: { name: true } })).map((r) => r.name),
  );
  const unknown = named.filter((n) => !declared.has(n));
  if (unknown.length > 0)
    throw new InvalidRoleMapping(`unknown role ${unknown.map((n) => `"${n}"`).join(", ")}: declare it first (PUT /api/v1/roles/{name})`);
}

/**
 * Replaces the directory's role mapping (an empty one removes it: the directory's writes then skip roles
 * entirely), then recomputes every user's roles, emitting user.roles_changed for those that changed.
 */
export async function putRoleMapping(db: Database, directoryId: string, mapping: RoleMapping): Promise<RoleMappingWritten> {
  await assertDirectoryExists(db, directoryId);
  await checkRoleMapping(db, mapping);
  const empty = mapping.defaultRole === null && mapping.rules.length === 0;
  try {
    // one batch transaction (no interactive transaction to time out on a loaded host)
    const rules = mapping.rules.map((rule, position) => ({
      id: randomUUID(),
      directoryId,
      ...("groupId" in rule.match
        ? { groupId: rule.match.groupId }
        : { displayName: rule.match.displayName, displayNameNorm: rule.match.displayName.toLowerCase() }),
      role: rule.role,
      priority: rule.priority,
      position,
    }));
    await db.prisma.$transaction([
      db.prisma.directoryRoleMapping.deleteMany({ where: { directoryId } }),
      ...(empty
        ? []
        : [
            db.prisma.directoryRoleMapping.create({ data: { directoryId, defaultRole: mapping.defaultRole, updatedAt: new Date() } }),
            db.prisma.directoryRoleRule.createMany({ data: rules }),
          ]),
    ]);
  } catch (err) {
    // a role deleted between the check and the write, or the directory deleted meanwhile
    if (isForeignKeyViolation(err)) {
      await assertDirectoryExists(db, directoryId);
      throw new InvalidRoleMapping("a role this mapping names was just deleted; declare it again");
    }
    throw err;
  }
  const usersChanged = await db.transaction((tx) => recomputeUserRoles(tx, directoryId, "directory"));
  return { ...(await getRoleMapping(db, directoryId)), usersChanged };
}
