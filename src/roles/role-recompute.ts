import type { SqlRunner } from "../db/database.js";
import type { NewEvent } from "../events/event-writer.js";
import { toAppUser } from "../users/app-user.js";
import { lockUsersForRoles, type RolesTarget, updateUserRoles, usersWithStaleRoles } from "../users/user-store.js";

// Keeps users' stored roles equal to what their groups give (computed-roles.ts), inside the transaction of
// the change that moved them (a membership change, a group rename, a new role mapping): each user whose
// roles change gets the new roles and a user.roles_changed in that transaction.
//
// The users' rows are locked first, then read in a later statement: a concurrent membership change of the
// same user (another group) waits, and whichever computes second sees the other's committed memberships.

const BATCH = 1000;

/** Recomputes the target's roles; returns how many users' roles changed. Call inside a transaction. */
export async function recomputeUserRoles(tx: SqlRunner, directoryId: string, target: RolesTarget): Promise<number> {
  if (typeof target === "object" && "userIds" in target && target.userIds.length === 0) return 0;
  await lockUsersForRoles(tx, directoryId, target);
  let changed = 0;
  let afterId: string | undefined;
  for (;;) {
    const rows = await usersWithStaleRoles(tx, directoryId, target, { afterId, limit: BATCH });
    if (rows.length === 0) break;
    const events = rows.map(
      ({ nextRoles, ...user }): NewEvent => ({
        type: "user.roles_changed",
        directoryId,
        data: { user: toAppUser({ ...user, roles: nextRoles }), previousRoles: user.roles, roles: nextRoles },
        previousAttributes: { roles: user.roles },
      }),
    );
    await updateUserRoles(
      tx,
      directoryId,
      rows.map((r) => ({ id: r.id, roles: r.nextRoles })),
      events,
    );
    changed += rows.length;
    if (rows.length < BATCH) break;
    afterId = rows[rows.length - 1]!.id;
  }
  return changed;
}
