import { randomUUID } from "node:crypto";
import type { Database, SqlRunner } from "../db/database.js";
import { isUniqueViolation } from "../db/db-errors.js";
import type { NewEvent } from "../events/event-writer.js";
import { toAppGroup } from "../groups/app-group.js";
import { removeUserFromAllGroups } from "../groups/membership-store.js";
import { invalidValue, notFound, uniqueness } from "../scim/errors.js";
import { checkIfMatch } from "../scim/resource/etag.js";
import { type ListRequest, type ListResult, runListRequest } from "../scim/resource/list-query.js";
import { isResourceId } from "../scim/resource/resource-id.js";
import { checkResourceSize, parseUserBody, withoutPassword } from "../scim/resource/resource-body.js";
import { applyPatch, type PatchLimits, parsePatchRequest } from "../scim/patch/index.js";
import { promoteUserColumns, type ScimJson } from "../scim/resource/user-attributes.js";
import { attributeMappingsOf } from "../attributes/attribute-mapping-cache.js";
import { type MappedAttribute, mapAttributes } from "../scim/mapping/attribute-mapping.js";
import { toAppUser } from "./app-user.js";
import {
  countUsers,
  deleteUserRow,
  findUser,
  insertUser,
  listUsers,
  type MappedWrite,
  updateUserIfVersion,
  type UserRecord,
} from "./user-store.js";

// Users of a directory as SCIM writes them: every change and its events in one statement (one round
// trip). Framework-free: used by the SCIM routes, Bulk, and anything else that changes users.

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

/** The directory's attribute mapping (cached per process: no query on a hit). */
function mappingOf(db: SqlRunner, directoryId: string): Promise<MappedAttribute[]> {
  return attributeMappingsOf(db).mappingOf(db, directoryId);
}

function mapUserAttributes(mapping: MappedAttribute[], resource: ScimJson): MappedWrite {
  return mapping.length === 0 ? { attributes: {}, warnings: [] } : mapAttributes(resource, mapping);
}

function checkUserName(resource: ScimJson): void {
  const cols = promoteUserColumns(resource);
  if (cols.userName.trim() === "") throw invalidValue('"userName" is required');
}

export async function createUser(db: SqlRunner, directoryId: string, body: unknown, maxResourceBytes?: number): Promise<UserRecord> {
  const resource = parseUserBody(body);
  checkResourceSize(resource, maxResourceBytes);
  const { userNameNorm, ...cols } = promoteUserColumns(resource);
  const { attributes, warnings } = mapUserAttributes(await mappingOf(db, directoryId), resource);
  // id and timestamps are chosen here, so the event is known before the one INSERT statement
  const at = new Date();
  const user: UserRecord = { id: randomUUID(), directoryId, ...cols, resource, attributes, version: 1, createdAt: at, updatedAt: at };
  try {
    return await insertUser(db, { ...user, userNameNorm, at }, [{ type: "user.created", directoryId, data: toAppUser(user) }], warnings);
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateUserName(cols.userName);
    throw err;
  }
}

/** A user of the directory; `groups` reads its groups in the same statement (SCIM GET by id). */
export async function getUser(db: SqlRunner, directoryId: string, id: string, opts: { groups?: boolean } = {}): Promise<UserRecord> {
  const user = isResourceId(id) ? await findUser(db, directoryId, id, opts) : undefined;
  if (!user) throw userMissing(id);
  return user;
}

/** Optimistic attempts before a writer falls back to locking the row (many writers on one user). */
const OPTIMISTIC_ATTEMPTS = 3;

/**
 * Reads the user, checks If-Match, computes the new resource and writes it with its event in one
 * statement that only applies if the row is still at the version read (else: read again). An unchanged
 * resource writes nothing. After OPTIMISTIC_ATTEMPTS conflicts the read takes the row lock instead
 * (a transaction), so a hot row cannot starve a writer.
 */
async function changeUser(
  db: Database,
  directoryId: string,
  id: string,
  ifMatch: string | undefined,
  change: (current: UserRecord) => ScimJson,
): Promise<UserRecord> {
  if (!isResourceId(id)) throw userMissing(id);
  let userName = "";
  const mapping = await mappingOf(db, directoryId);
  const attempt = async (runner: SqlRunner, lock: boolean): Promise<UserRecord | undefined> => {
    const current = await findUser(runner, directoryId, id, { lock });
    if (!current) throw userMissing(id);
    checkIfMatch(ifMatch, current.version);
    const resource = change(current);
    checkUserName(resource);
    if (JSON.stringify(resource) === JSON.stringify(current.resource)) return current;
    const { userNameNorm, ...cols } = promoteUserColumns(resource);
    userName = cols.userName;
    const mapped = mapUserAttributes(mapping, resource);
    const at = new Date();
    const next: UserRecord = { ...current, ...cols, resource, attributes: mapped.attributes, version: current.version + 1, updatedAt: at };
    return updateUserIfVersion(runner, current, { ...cols, userNameNorm }, resource, mapped, at, [
      userChangeEvent(directoryId, current, next),
    ]);
  };
  try {
    for (let i = 0; i < OPTIMISTIC_ATTEMPTS; i++) {
      const written = await attempt(db, false);
      if (written) return written;
    }
    return (await db.transaction((tx) => attempt(tx, true)))!;
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateUserName(userName);
    throw err;
  }
}

export async function replaceUser(
  db: Database,
  directoryId: string,
  id: string,
  body: unknown,
  ifMatch?: string,
  maxResourceBytes?: number,
): Promise<UserRecord> {
  const resource = parseUserBody(body);
  checkResourceSize(resource, maxResourceBytes);
  return changeUser(db, directoryId, id, ifMatch, () => resource);
}

export async function patchUser(
  db: Database,
  directoryId: string,
  id: string,
  body: unknown,
  limits: PatchLimits,
  ifMatch?: string,
): Promise<UserRecord> {
  const operations = parsePatchRequest(body, limits);
  return changeUser(db, directoryId, id, ifMatch, (current) => {
    const resource = withoutPassword(applyPatch("User", current.resource, operations).resource);
    checkResourceSize(resource, limits.maxResourceBytes);
    return resource;
  });
}

/**
 * Deletes a user. Its memberships go with it (done explicitly so each group's member_count stays right
 * and the app gets a group.user_removed per group, then user.deleted). This one takes the row lock in a
 * transaction: a group PATCH adding the user at the same moment must either finish first (and be seen
 * here) or fail on the foreign key, never leave a membership that the cascade drops uncounted.
 */
export async function deleteUser(db: Database, directoryId: string, id: string, ifMatch?: string): Promise<void> {
  if (!isResourceId(id)) throw userMissing(id);
  await db.transaction(async (tx) => {
    const current = await findUser(tx, directoryId, id, { lock: true });
    if (!current) throw userMissing(id);
    checkIfMatch(ifMatch, current.version);
    const groups = await removeUserFromAllGroups(tx, id, new Date());
    const user = toAppUser(current);
    await deleteUserRow(tx, directoryId, id, [
      ...groups.map((g): NewEvent => ({ type: "group.user_removed", directoryId, data: { group: toAppGroup(g), user } })),
      { type: "user.deleted", directoryId, data: user },
    ]);
  });
}

export async function queryUsers(
  db: SqlRunner,
  directoryId: string,
  req: ListRequest,
  maxResults: number,
): Promise<ListResult<UserRecord>> {
  return runListRequest("User", req, maxResults, {
    list: (q, withTotal) => listUsers(db, directoryId, q, withTotal),
    count: (where) => countUsers(db, directoryId, where),
  });
}
