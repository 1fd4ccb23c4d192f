import { randomUUID } from "node:crypto";
import type { Database } from "../db/database.js";
import { isUniqueViolation } from "../db/db-errors.js";
import { appendEvents, type NewEvent } from "../events/event-writer.js";
import { toAppGroup } from "../groups/app-group.js";
import { removeUserFromAllGroups } from "../groups/membership-store.js";
import { invalidValue, notFound, uniqueness } from "../scim/errors.js";
import { checkIfMatch } from "../scim/resource/etag.js";
import { type ListRequest, type ListResult, runListRequest } from "../scim/resource/list-query.js";
import { parseUserBody, withoutPassword } from "../scim/resource/resource-body.js";
import { applyPatch, type PatchLimits, parsePatchRequest } from "../scim/patch/index.js";
import { promoteUserColumns, type ScimJson } from "../scim/resource/user-attributes.js";
import { toAppUser } from "./app-user.js";
import { asEventTx, inScimTransaction, isResourceId, pgSqlClient, type Tx } from "./scim-transaction.js";
import { countUsers, deleteUserRow, findUser, insertUser, listUsers, updateUser, type UserRecord } from "./user-store.js";

// Users of a directory as SCIM writes them: every change and its events in one transaction.
// Framework-free: used by the SCIM routes, Bulk, and anything else that changes users.

function userMissing(id: string) {
  return notFound(`User ${id} not found`);
}

function duplicateUserName(userName: string) {
  return uniqueness(`a user with userName "${userName}" already exists in this directory`);
}

/** The event for a changed user: deactivation and reactivation are events of their own. */
function userChangeEvent(directoryId: string, before: UserRecord, after: UserRecord): NewEvent {
  const type = before.active && !after.active ? "user.deactivated" : !before.active && after.active ? "user.reactivated" : "user.updated";
  return { type, directoryId, data: toAppUser(after) };
}

function checkUserName(resource: ScimJson): void {
  const cols = promoteUserColumns(resource);
  if (cols.userName.trim() === "") throw invalidValue('"userName" is required');
}

export async function createUser(db: Database, directoryId: string, body: unknown): Promise<UserRecord> {
  const resource = parseUserBody(body);
  const cols = promoteUserColumns(resource);
  try {
    return await inScimTransaction(db, async (tx) => {
      const user = await insertUser(tx, directoryId, randomUUID(), cols, resource);
      await appendEvents(asEventTx(tx), [{ type: "user.created", directoryId, data: toAppUser(user) }]);
      return user;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateUserName(cols.userName);
    throw err;
  }
}

export async function getUser(db: Database | Tx, directoryId: string, id: string): Promise<UserRecord> {
  const reader = "pool" in db ? pgSqlClient(db.pool) : db;
  const user = isResourceId(id) ? await findUser(reader, directoryId, id) : undefined;
  if (!user) throw userMissing(id);
  return user;
}

/**
 * Locks the user, checks If-Match after the lock (so concurrent writers serialise), computes the
 * new resource and writes it with its event; an unchanged resource writes nothing.
 */
async function changeUser(db: Database, directoryId: string, id: string, ifMatch: string | undefined, change: (current: UserRecord) => ScimJson): Promise<UserRecord> {
  if (!isResourceId(id)) throw userMissing(id);
  let userName = "";
  try {
    return await inScimTransaction(db, async (tx) => {
      const current = await findUser(tx, directoryId, id, true);
      if (!current) throw userMissing(id);
      checkIfMatch(ifMatch, current.version);
      const resource = change(current);
      checkUserName(resource);
      if (JSON.stringify(resource) === JSON.stringify(current.resource)) return current;
      const cols = promoteUserColumns(resource);
      userName = cols.userName;
      const updated = await updateUser(tx, id, cols, resource);
      await appendEvents(asEventTx(tx), [userChangeEvent(directoryId, current, updated)]);
      return updated;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateUserName(userName);
    throw err;
  }
}

export async function replaceUser(db: Database, directoryId: string, id: string, body: unknown, ifMatch?: string): Promise<UserRecord> {
  const resource = parseUserBody(body);
  return changeUser(db, directoryId, id, ifMatch, () => resource);
}

export async function patchUser(db: Database, directoryId: string, id: string, body: unknown, limits: PatchLimits, ifMatch?: string): Promise<UserRecord> {
  const operations = parsePatchRequest(body, limits);
  return changeUser(db, directoryId, id, ifMatch, (current) => withoutPassword(applyPatch("User", current.resource, operations).resource));
}

/**
 * Deletes a user. Its memberships go with it (FK cascade, done explicitly here so each group's
 * member_count stays right and the app gets a group.user_removed per group, then user.deleted).
 */
export async function deleteUser(db: Database, directoryId: string, id: string, ifMatch?: string): Promise<void> {
  if (!isResourceId(id)) throw userMissing(id);
  await inScimTransaction(db, async (tx) => {
    const current = await findUser(tx, directoryId, id, true);
    if (!current) throw userMissing(id);
    checkIfMatch(ifMatch, current.version);
    const groups = await removeUserFromAllGroups(tx, id);
    await deleteUserRow(tx, id);
    const user = toAppUser(current);
    await appendEvents(asEventTx(tx), [
      ...groups.map((g): NewEvent => ({ type: "group.user_removed", directoryId, data: { group: toAppGroup(g), user } })),
      { type: "user.deleted", directoryId, data: user },
    ]);
  });
}

export async function queryUsers(db: Database, directoryId: string, req: ListRequest, maxResults: number): Promise<ListResult<UserRecord>> {
  const sql = pgSqlClient(db.pool);
  return runListRequest("User", req, maxResults, {
    list: (q) => listUsers(sql, directoryId, q),
    count: (where) => countUsers(sql, directoryId, where),
  });
}
