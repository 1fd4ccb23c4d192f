import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../../src/db/database.js";
import { sql } from "../../src/db/sql.js";
import { toAppGroup } from "../../src/groups/app-group.js";
import { createGroup, getGroup, patchGroup, replaceGroup } from "../../src/groups/group-service.js";
import { toAppUser } from "../../src/users/app-user.js";
import { createUser, getUser } from "../../src/users/user-service.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";

// A group write builds its events' group JSON in SQL from the row it wrote (group-store.ts); the events
// must be exactly toAppGroup of the group after the write (and toAppUser of the member), in order.

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const LIMITS = { maxOperations: 100, maxMembers: 1000 };

let testDb: TestDatabase;
let db: Database;
let directoryId: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = createDatabase({ url: testDb.url, poolSize: 4, statementTimeoutMs: 10_000 });
  directoryId = randomUUID();
  await db.prisma.directory.create({ data: { id: directoryId, name: "group events" } });
});
afterAll(async () => {
  await db?.close();
  await testDb?.drop();
});

async function eventsSince(id: number): Promise<{ type: string; data: unknown }[]> {
  return db.query(sql`SELECT type, data FROM events WHERE id > ${id} ORDER BY id`);
}

async function lastEventId(): Promise<number> {
  const rows = await db.query<{ id: number }>(sql`SELECT coalesce(max(id), 0)::int AS id FROM events`);
  return rows[0]!.id;
}

const json = (v: unknown) => JSON.parse(JSON.stringify(v));

describe("group events", () => {
  it("POST, PATCH (members and attributes) and PUT write toAppGroup of the row written, with toAppUser of each member", async () => {
    const user = (n: string) =>
      createUser(db, directoryId, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: `${n}@example.com`, active: true });
    const [ada, grace] = [await user("ada"), await user("grace")];

    let from = await lastEventId();
    const created = await createGroup(
      db,
      directoryId,
      { schemas: [GROUP], displayName: "Eng", externalId: "e-1", members: [{ value: ada.id }] },
      1000,
    );
    const afterCreate = toAppGroup(await getGroup(db, directoryId, created.id));
    expect(await eventsSince(from)).toEqual([
      { type: "group.created", data: json(afterCreate) },
      { type: "group.user_added", data: json({ group: afterCreate, user: toAppUser(await getUser(db, directoryId, ada.id)) }) },
    ]);

    from = await lastEventId();
    const patch = {
      schemas: [PATCH_OP],
      Operations: [
        { op: "Replace", path: "displayName", value: "Engineering" },
        { op: "Add", path: "members", value: [{ value: grace.id }] },
        { op: "Remove", path: `members[value eq "${ada.id}"]` },
      ],
    };
    await patchGroup(db, directoryId, created.id, patch, LIMITS);
    const afterPatch = toAppGroup(await getGroup(db, directoryId, created.id));
    expect(afterPatch).toMatchObject({ displayName: "Engineering", memberCount: 1 });
    expect(await eventsSince(from)).toEqual([
      { type: "group.updated", data: json(afterPatch) },
      { type: "group.user_added", data: json({ group: afterPatch, user: toAppUser(grace) }) },
      { type: "group.user_removed", data: json({ group: afterPatch, user: toAppUser(ada) }) },
    ]);

    from = await lastEventId();
    await replaceGroup(db, directoryId, created.id, { schemas: [GROUP], displayName: "Eng again", members: [] }, 1000);
    const afterPut = toAppGroup(await getGroup(db, directoryId, created.id));
    expect(await eventsSince(from)).toEqual([
      { type: "group.updated", data: json(afterPut) },
      { type: "group.user_removed", data: json({ group: afterPut, user: toAppUser(grace) }) },
    ]);
  });
});
