import { randomUUID } from "node:crypto";
import type { Database } from "../db/database.js";
import { isForeignKeyViolation, isUniqueViolation } from "../db/db-errors.js";
import { appendEvents, type NewEvent } from "../events/event-writer.js";
import { invalidValue, notFound, uniqueness } from "../scim/errors.js";
import { checkIfMatch } from "../scim/resource/etag.js";
import { type ListRequest, type ListResult, runListRequest } from "../scim/resource/list-query.js";
import { parseGroupBody } from "../scim/resource/resource-body.js";
import { applyPatch, type MemberChange, type PatchLimits, parsePatchRequest } from "../scim/patch/index.js";
import { checkIndexedText, displayNameOf, externalIdOf, type ScimJson } from "../scim/resource/user-attributes.js";
import { type AppUser, toAppUser } from "../users/app-user.js";
import { asEventTx, inScimTransaction, isResourceId, pgSqlClient, type Tx } from "../users/scim-transaction.js";
import { findUsersByIds, type UserRecord } from "../users/user-store.js";
import { toAppGroup } from "./app-group.js";
import { countGroups, deleteGroupRow, findGroup, type GroupRecord, insertGroup, listGroups, type PromotedGroupColumns, updateGroup } from "./group-store.js";
import { addMembers, removeMembers, removeMembersExcept } from "./membership-store.js";

// Groups of a directory as SCIM writes them. Members are rows in group_members; member_count and
// one group.user_added / group.user_removed event per member change are written in the same
// transaction as the change. Removing a user who is not a member is a no-op (Entra retries).

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
async function requireUsers(tx: Tx, directoryId: string, ids: string[]): Promise<UserRecord[]> {
  const unique = [...new Set(ids)];
  const malformed = unique.filter((id) => !isResourceId(id));
  const users = await findUsersByIds(tx, directoryId, unique.filter(isResourceId));
  if (malformed.length > 0 || users.length < unique.length) {
    const found = new Set(users.map((u) => u.id));
    const missing = unique.filter((id) => !found.has(id)).slice(0, 5);
    throw invalidValue(`members reference unknown users: ${missing.join(", ")}`);
  }
  return users;
}

interface MembershipDelta {
  added: UserRecord[];
  removed: UserRecord[];
}

/** Applies member changes in order; returns who was actually added and removed. */
async function applyMemberChanges(tx: Tx, directoryId: string, groupId: string, changes: MemberChange[]): Promise<MembershipDelta> {
  const added = new Map<string, UserRecord>();
  const removed = new Map<string, UserRecord>();
  const noteAdded = (users: UserRecord[], ids: string[]) => {
    const byId = new Map(users.map((u) => [u.id, u]));
    for (const id of ids) {
      if (removed.delete(id)) continue; // removed then re-added in one request: no net change
      added.set(id, byId.get(id)!);
    }
  };
  const noteRemoved = (users: UserRecord[]) => {
    for (const u of users) if (!added.delete(u.id)) removed.set(u.id, u);
  };
  for (const change of changes) {
    if (change.kind === "removeAll") {
      noteRemoved(await removeMembersExcept(tx, groupId, []));
    } else if (change.kind === "remove") {
      noteRemoved(await removeMembers(tx, groupId, change.ids.filter(isResourceId)));
    } else {
      const users = await requireUsers(tx, directoryId, change.ids);
      if (change.kind === "replace") noteRemoved(await removeMembersExcept(tx, groupId, users.map((u) => u.id)));
      noteAdded(users, await addMembers(tx, directoryId, groupId, users.map((u) => u.id)));
    }
  }
  return { added: [...added.values()], removed: [...removed.values()] };
}

function membershipEvents(directoryId: string, group: GroupRecord, delta: MembershipDelta): NewEvent[] {
  const appGroup = toAppGroup(group);
  const event = (type: "group.user_added" | "group.user_removed", user: AppUser): NewEvent => ({ type, directoryId, data: { group: appGroup, user } });
  return [...delta.added.map((u) => event("group.user_added", toAppUser(u))), ...delta.removed.map((u) => event("group.user_removed", toAppUser(u)))];
}

async function translateWriteErrors<T>(displayName: () => string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateDisplayName(displayName());
    // a member user deleted between our check and the insert
    if (isForeignKeyViolation(err)) throw invalidValue("members reference unknown users");
    throw err;
  }
}

export async function createGroup(db: Database, directoryId: string, body: unknown, maxMembers: number): Promise<GroupRecord> {
  const { resource, memberIds } = parseGroupBody(body, maxMembers);
  const cols = promoteGroupColumns(resource);
  return translateWriteErrors(
    () => cols.displayName,
    () =>
      inScimTransaction(db, async (tx) => {
        const users = memberIds?.length ? await requireUsers(tx, directoryId, memberIds) : [];
        const group = await insertGroup(tx, directoryId, randomUUID(), cols, resource, users.length);
        await addMembers(tx, directoryId, group.id, users.map((u) => u.id));
        await appendEvents(asEventTx(tx), [
          { type: "group.created", directoryId, data: toAppGroup(group) },
          ...membershipEvents(directoryId, group, { added: users, removed: [] }),
        ]);
        return group;
      }),
  );
}

export async function getGroup(db: Database, directoryId: string, id: string): Promise<GroupRecord> {
  const group = isResourceId(id) ? await findGroup(pgSqlClient(db.pool), directoryId, id) : undefined;
  if (!group) throw groupMissing(id);
  return group;
}

interface GroupChange {
  resource: ScimJson;
  memberChanges: MemberChange[];
}

async function changeGroup(db: Database, directoryId: string, id: string, ifMatch: string | undefined, change: (current: GroupRecord) => GroupChange): Promise<GroupRecord> {
  if (!isResourceId(id)) throw groupMissing(id);
  let displayName = "";
  return translateWriteErrors(
    () => displayName,
    () =>
      inScimTransaction(db, async (tx) => {
        const current = await findGroup(tx, directoryId, id, true);
        if (!current) throw groupMissing(id);
        checkIfMatch(ifMatch, current.version);
        const next = change(current);
        const cols = promoteGroupColumns(next.resource);
        displayName = cols.displayName;
        const delta = await applyMemberChanges(tx, directoryId, id, next.memberChanges);
        const resourceChanged = JSON.stringify(next.resource) !== JSON.stringify(current.resource);
        if (!resourceChanged && delta.added.length === 0 && delta.removed.length === 0) return current;
        const updated = await updateGroup(tx, id, cols, next.resource, delta.added.length - delta.removed.length);
        await appendEvents(asEventTx(tx), [
          ...(resourceChanged ? [{ type: "group.updated", directoryId, data: toAppGroup(updated) } as NewEvent] : []),
          ...membershipEvents(directoryId, updated, delta),
        ]);
        return updated;
      }),
  );
}

/** PUT: the body replaces the resource; `members`, when present, replaces the member list (Okta). */
export async function replaceGroup(db: Database, directoryId: string, id: string, body: unknown, maxMembers: number, ifMatch?: string): Promise<GroupRecord> {
  const { resource, memberIds } = parseGroupBody(body, maxMembers);
  const memberChanges: MemberChange[] = memberIds === undefined ? [] : memberIds.length === 0 ? [{ kind: "removeAll" }] : [{ kind: "replace", ids: memberIds }];
  return changeGroup(db, directoryId, id, ifMatch, () => ({ resource, memberChanges }));
}

export async function patchGroup(db: Database, directoryId: string, id: string, body: unknown, limits: PatchLimits, ifMatch?: string): Promise<GroupRecord> {
  const operations = parsePatchRequest(body, limits);
  return changeGroup(db, directoryId, id, ifMatch, (current) => applyPatch("Group", current.resource, operations));
}

export async function deleteGroup(db: Database, directoryId: string, id: string, ifMatch?: string): Promise<void> {
  if (!isResourceId(id)) throw groupMissing(id);
  await inScimTransaction(db, async (tx) => {
    const current = await findGroup(tx, directoryId, id, true);
    if (!current) throw groupMissing(id);
    checkIfMatch(ifMatch, current.version);
    // memberships go with the group (FK cascade); group.deleted carries the last state
    await deleteGroupRow(tx, id);
    await appendEvents(asEventTx(tx), [{ type: "group.deleted", directoryId, data: toAppGroup(current) }]);
  });
}

export async function queryGroups(db: Database, directoryId: string, req: ListRequest, maxResults: number): Promise<ListResult<GroupRecord>> {
  const sql = pgSqlClient(db.pool);
  return runListRequest("Group", req, maxResults, {
    list: (q) => listGroups(sql, directoryId, q),
    count: (where) => countGroups(sql, directoryId, where),
  });
}
