import { randomUUID } from "node:crypto";
import type { Database, SqlRunner } from "../db/database.js";
import { isForeignKeyViolation, isUniqueViolation } from "../db/db-errors.js";
import type { GroupEvent } from "../events/event-writer.js";
import { previousAttributes, sameJson } from "../events/previous-attributes.js";
import { recomputeUserRoles } from "../roles/role-recompute.js";
import { invalidValue, notFound, uniqueness } from "../scim/errors.js";
import { checkIfMatch } from "../scim/resource/etag.js";
import { type ListRequest, type ListResult, runListRequest } from "../scim/resource/list-query.js";
import { isResourceId } from "../scim/resource/resource-id.js";
import { checkResourceSize, parseGroupBody } from "../scim/resource/resource-body.js";
import { applyPatch, type MemberChange, type PatchLimits, type PatchOperation, parsePatchRequest } from "../scim/patch/index.js";
import { checkIndexedText, displayNameOf, externalIdOf, type ScimJson } from "../scim/resource/user-attributes.js";
import { toAppUser } from "../users/app-user.js";
import { findUsersByIds, type RolesTarget, type UserRecord } from "../users/user-store.js";
import { toAppGroup } from "./app-group.js";
import {
  countGroups,
  deleteGroupIfVersion,
  findGroup,
  findGroupForChange,
  findNewMembers,
  type GroupRecord,
  insertGroup,
  listGroups,
  type PromotedGroupColumns,
  updateGroupIfVersion,
} from "./group-store.js";
import { memberIdsOf } from "./membership-store.js";

// Groups of a directory as SCIM writes them. Members are rows in group_members; member_count and one
// group.user_added / group.user_removed event per member change are written in the same statement as
// the change. Removing a user who is not a member is a no-op (Entra retries).
//
// A change reads the group (and the members and users it touches), works out the exact delta, then
// writes everything in one statement that only applies if the group is still at the version read:
// every membership change moves the version, so the delta cannot be stale. On conflict it reads again;
// after OPTIMISTIC_ATTEMPTS it takes the group's row lock instead, so a hot group cannot starve a writer.
//
// Roles: in a directory with a role mapping (the first read says so), a write that moves memberships (or
// renames a group, as rules may match by displayName) runs in a transaction with the recompute of the
// affected users' roles and their user.roles_changed events (src/roles). Without a mapping the write
// stays the one statement it was.

const OPTIMISTIC_ATTEMPTS = 3;

function groupMissing(id: string) {
  return notFound(`Group ${id} not found`);
}

function duplicateDisplayName(displayName: string) {
  return uniqueness(`a group with displayName "${displayName}" already exists in this directory`);
}

function promoteGroupColumns(resource: ScimJson): PromotedGroupColumns {
  const displayName = displayNameOf(resource);
  if (!displayName || displayName.trim() === "") throw invalidValue('"displayName" is required');
  const externalId = externalIdOf(resource);
  checkIndexedText("displayName", displayName.toLowerCase());
  checkIndexedText("externalId", externalId);
  return { displayName, externalId };
}

/** Member ids must name users of this directory: all of them, or nothing is written. */
function requireUsers(byId: Map<string, UserRecord>, ids: string[]): UserRecord[] {
  const unique = [...new Set(ids)];
  const missing = unique.filter((id) => !byId.has(id));
  if (missing.length > 0) throw invalidValue(`members reference unknown users: ${missing.slice(0, 5).join(", ")}`);
  return unique.map((id) => byId.get(id)!);
}

interface MembershipDelta {
  added: UserRecord[];
  removed: UserRecord[];
}

/** Reads what the member changes touch: the users named (of this directory) and which of them are members (all members for a replace). */
async function readMembership(db: SqlRunner, directoryId: string, groupId: string, changes: MemberChange[]) {
  const named = [...new Set(changes.flatMap((c) => (c.kind === "removeAll" ? [] : c.ids)))].filter(isResourceId);
  const everyone = changes.some((c) => c.kind === "removeAll" || c.kind === "replace");
  const members = new Set(await memberIdsOf(db, groupId, everyone ? undefined : named));
  const users = await findUsersByIds(db, directoryId, [...new Set([...named, ...members])]);
  return { members, users: new Map(users.map((u) => [u.id, u])) };
}

/** Applies member changes in order to the membership read; returns who is actually added and removed. */
function memberDelta(members: Set<string>, users: Map<string, UserRecord>, changes: MemberChange[]): MembershipDelta {
  const now = new Set(members);
  for (const change of changes) {
    if (change.kind === "removeAll") {
      now.clear();
    } else if (change.kind === "remove") {
      for (const id of change.ids) now.delete(id);
    } else {
      const wanted = requireUsers(users, change.ids);
      if (change.kind === "replace") now.clear();
      for (const u of wanted) now.add(u.id);
    }
  }
  return {
    added: [...now].filter((id) => !members.has(id)).map((id) => users.get(id)!),
    // a member whose user row is gone is being deleted: that delete moves the group's version, so the
    // version-checked write fails and the change is read again
    removed: [...members].filter((id) => !now.has(id) && users.has(id)).map((id) => users.get(id)!),
  };
}

type InTransaction = <R>(work: (tx: SqlRunner) => Promise<R>) => Promise<R>;

/** Where an attempt's multi-statement work runs: the transaction it already holds (`locked`: it took the row lock in one), or a new one. */
function transactionFor(db: Database, runner: SqlRunner, locked: boolean): InTransaction {
  return (work) => (locked ? work(runner) : db.transaction(work));
}

/**
 * Runs `write` and, when it wrote and the directory maps roles, recomputes the roles of `affected` in the
 * same transaction (`inTransaction`: the caller's open one, or a new one).
 */
async function writeWithRoles<T>(
  runner: SqlRunner,
  inTransaction: InTransaction,
  directoryId: string,
  affected: RolesTarget | undefined,
  write: (r: SqlRunner) => Promise<T>,
): Promise<T> {
  if (!affected) return write(runner);
  return inTransaction(async (tx) => {
    const written = await write(tx);
    if (written) await recomputeUserRoles(tx, directoryId, affected);
    return written;
  });
}

/** The membership events of a group write; the group's JSON in them is built in SQL from the row written. */
function membershipEvents(directoryId: string, delta: MembershipDelta): GroupEvent[] {
  return [
    ...delta.added.map((u): GroupEvent => ({ type: "group.user_added", directoryId, user: toAppUser(u) })),
    ...delta.removed.map((u): GroupEvent => ({ type: "group.user_removed", directoryId, user: toAppUser(u) })),
  ];
}

async function translateWriteErrors<T>(displayName: () => string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateDisplayName(displayName());
    // a member user deleted between our read and the write
    if (isForeignKeyViolation(err)) throw invalidValue("members reference unknown users");
    throw err;
  }
}

export async function createGroup(
  db: Database,
  directoryId: string,
  body: unknown,
  maxMembers: number,
  maxResourceBytes?: number,
): Promise<GroupRecord> {
  const { resource, memberIds } = parseGroupBody(body, maxMembers);
  checkResourceSize(resource, maxResourceBytes);
  const cols = promoteGroupColumns(resource);
  return translateWriteErrors(
    () => cols.displayName,
    async () => {
      const ids = [...new Set(memberIds ?? [])];
      const read = ids.length > 0 ? await findNewMembers(db, directoryId, ids.filter(isResourceId)) : { users: [], hasRoleMapping: false };
      const users = requireUsers(new Map(read.users.map((u) => [u.id, u])), ids);
      const at = new Date();
      const group: GroupRecord = {
        id: randomUUID(),
        directoryId,
        ...cols,
        resource,
        memberCount: users.length,
        version: 1,
        createdAt: at,
        updatedAt: at,
      };
      const events: GroupEvent[] = [
        { type: "group.created", directoryId },
        ...membershipEvents(directoryId, { added: users, removed: [] }),
      ];
      const userIds = users.map((u) => u.id);
      const affected = read.hasRoleMapping ? { userIds } : undefined;
      return writeWithRoles(
        db,
        (work) => db.transaction(work),
        directoryId,
        affected,
        (r) => insertGroup(r, { ...group, at }, userIds, events),
      );
    },
  );
}

export async function getGroup(db: SqlRunner, directoryId: string, id: string): Promise<GroupRecord> {
  const group = isResourceId(id) ? await findGroup(db, directoryId, id) : undefined;
  if (!group) throw groupMissing(id);
  return group;
}

interface GroupChange {
  resource: ScimJson;
  memberChanges: MemberChange[];
}

const UUIDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Every UUID-shaped string in the operations (values and path filters): a superset of the member ids they name. */
function idsMentioned(operations: PatchOperation[]): string[] {
  const ids = new Set<string>();
  const visit = (v: unknown, depth: number): void => {
    if (typeof v === "string") {
      if (isResourceId(v)) ids.add(v);
    } else if (Array.isArray(v)) {
      if (depth < 3) for (const item of v) visit(item, depth + 1);
    } else if (typeof v === "object" && v !== null && depth < 3) {
      for (const item of Object.values(v)) visit(item, depth + 1);
    }
  };
  for (const op of operations) {
    visit(op.value, 0);
    for (const m of op.path?.matchAll(UUIDS) ?? []) ids.add(m[0]);
  }
  return [...ids];
}

/** True when the member changes are adds/removes of ids the first read already covered. */
function coveredBy(mentioned: Set<string>, changes: MemberChange[]): boolean {
  return changes.every((c) => (c.kind === "add" || c.kind === "remove") && c.ids.every((id) => mentioned.has(id)));
}

async function changeGroup(
  db: Database,
  directoryId: string,
  id: string,
  ifMatch: string | undefined,
  mentioned: string[],
  change: (current: GroupRecord) => GroupChange,
): Promise<GroupRecord> {
  if (!isResourceId(id)) throw groupMissing(id);
  let displayName = "";
  const mentionedSet = new Set(mentioned);
  const attempt = async (runner: SqlRunner, lock: boolean): Promise<GroupRecord | undefined> => {
    const read = await findGroupForChange(runner, directoryId, id, mentioned, lock);
    if (!read) throw groupMissing(id);
    const current = read.group;
    checkIfMatch(ifMatch, current.version);
    const next = change(current);
    const cols = promoteGroupColumns(next.resource);
    displayName = cols.displayName;
    let delta: MembershipDelta = { added: [], removed: [] };
    if (next.memberChanges.length > 0) {
      // the usual PATCH (add/remove named members) was answered by the first read; a replace reads all members
      const { members, users } = coveredBy(mentionedSet, next.memberChanges)
        ? { members: new Set(read.memberIds), users: new Map(read.users.map((u) => [u.id, u])) }
        : await readMembership(runner, directoryId, id, next.memberChanges);
      delta = memberDelta(members, users, next.memberChanges);
    }
    const { added, removed } = delta;
    const resourceChanged = !sameJson(next.resource, current.resource);
    if (!resourceChanged && added.length === 0 && removed.length === 0) return current;
    const at = new Date();
    const updated = (): GroupEvent => ({
      type: "group.updated",
      directoryId,
      previousAttributes: previousAttributes(
        toAppGroup(current),
        toAppGroup({ ...current, ...cols, resource: next.resource, memberCount: current.memberCount + added.length - removed.length }),
      ),
    });
    const events: GroupEvent[] = [...(resourceChanged ? [updated()] : []), ...membershipEvents(directoryId, { added, removed })];
    const renamed = cols.displayName.toLowerCase() !== current.displayName.toLowerCase();
    const moved = [...added, ...removed].map((u) => u.id);
    const affected: RolesTarget | undefined = !read.hasRoleMapping
      ? undefined
      : renamed
        ? { userIds: [...new Set([...moved, ...(await memberIdsOf(runner, id))])] }
        : moved.length > 0
          ? { userIds: moved }
          : undefined;
    return writeWithRoles(runner, transactionFor(db, runner, lock), directoryId, affected, (r) =>
      updateGroupIfVersion(r, current, {
        cols,
        resource: next.resource,
        add: added.map((u) => u.id),
        remove: removed.map((u) => u.id),
        at,
        events,
      }),
    );
  };
  return translateWriteErrors(
    () => displayName,
    async () => {
      for (let i = 0; i < OPTIMISTIC_ATTEMPTS; i++) {
        const written = await attempt(db, false);
        if (written) return written;
      }
      return (await db.transaction((tx) => attempt(tx, true)))!;
    },
  );
}

/** PUT: the body replaces the resource; `members`, when present, replaces the member list (Okta). */
export async function replaceGroup(
  db: Database,
  directoryId: string,
  id: string,
  body: unknown,
  maxMembers: number,
  ifMatch?: string,
  maxResourceBytes?: number,
): Promise<GroupRecord> {
  const { resource, memberIds } = parseGroupBody(body, maxMembers);
  checkResourceSize(resource, maxResourceBytes);
  const memberChanges: MemberChange[] =
    memberIds === undefined ? [] : memberIds.length === 0 ? [{ kind: "removeAll" }] : [{ kind: "replace", ids: memberIds }];
  return changeGroup(db, directoryId, id, ifMatch, [], () => ({ resource, memberChanges }));
}

export async function patchGroup(
  db: Database,
  directoryId: string,
  id: string,
  body: unknown,
  limits: PatchLimits,
  ifMatch?: string,
): Promise<GroupRecord> {
  const operations = parsePatchRequest(body, limits);
  return changeGroup(db, directoryId, id, ifMatch, idsMentioned(operations), (current) => {
    const next = applyPatch("Group", current.resource, operations);
    checkResourceSize(next.resource, limits.maxResourceBytes);
    return next;
  });
}

/**
 * Deletes a group (memberships go with it by FK cascade); group.deleted carries the last state. With a role
 * mapping, its members' roles are recomputed in the same transaction (read before the delete: the version
 * check makes that list exact).
 */
export async function deleteGroup(db: Database, directoryId: string, id: string, ifMatch?: string): Promise<void> {
  if (!isResourceId(id)) throw groupMissing(id);
  const attempt = async (runner: SqlRunner, lock: boolean): Promise<boolean> => {
    const read = await findGroupForChange(runner, directoryId, id, [], lock);
    if (!read) throw groupMissing(id);
    const current = read.group;
    checkIfMatch(ifMatch, current.version);
    const events = [{ type: "group.deleted" as const, directoryId, data: toAppGroup(current) }];
    if (!read.hasRoleMapping) return deleteGroupIfVersion(runner, current, events);
    return transactionFor(
      db,
      runner,
      lock,
    )(async (tx) => {
      const members = await memberIdsOf(tx, id);
      const deleted = await deleteGroupIfVersion(tx, current, events);
      if (deleted) await recomputeUserRoles(tx, directoryId, { userIds: members });
      return deleted;
    });
  };
  for (let i = 0; i < OPTIMISTIC_ATTEMPTS; i++) if (await attempt(db, false)) return;
  await db.transaction((tx) => attempt(tx, true));
}

export async function queryGroups(
  db: SqlRunner,
  directoryId: string,
  req: ListRequest,
  maxResults: number,
): Promise<ListResult<GroupRecord>> {
  return runListRequest("Group", req, maxResults, {
    list: (q, withTotal) => listGroups(db, directoryId, q, withTotal),
    count: (where) => countGroups(db, directoryId, where),
  });
}
