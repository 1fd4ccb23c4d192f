import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { putAppAttribute } from "../../src/attributes/app-attribute-service.js";
import { attributeMappingsOf } from "../../src/attributes/attribute-mapping-cache.js";
import { createDatabase, type Database } from "../../src/db/database.js";
import { createGroup, deleteGroup, patchGroup } from "../../src/groups/group-service.js";
import { createUser, getUser, patchUser, queryUsers, replaceUser } from "../../src/users/user-service.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";

// The hot path cut to the work: how many statements each SCIM operation sends (each is one round trip;
// without a transaction, autocommit makes the write and its commit one). Counted at the Database the
// services are given.

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const LIMITS = { maxOperations: 100, maxMembers: 1000 };

let testDb: TestDatabase;
let db: Database;
let directoryId: string;
const counted = { statements: 0, transactions: 0 };

/** The database with its statements and transactions counted. */
function counting(inner: Database): Database {
  return {
    ...inner,
    query: (s) => {
      counted.statements++;
      return inner.query(s);
    },
    execute: (s) => {
      counted.statements++;
      return inner.execute(s);
    },
    transaction: (work) => {
      counted.transactions++;
      return inner.transaction(work);
    },
  } as Database;
}

async function count<T>(work: (db: Database) => Promise<T>): Promise<{ statements: number; transactions: number; result: T }> {
  counted.statements = 0;
  counted.transactions = 0;
  const result = await work(counting(db));
  return { ...counted, result };
}

const user = (userName: string) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName,
  active: true,
  emails: [{ type: "work", value: userName }],
});

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = createDatabase({ url: testDb.url, poolSize: 4, statementTimeoutMs: 10_000 });
  directoryId = randomUUID();
  await db.prisma.directory.create({ data: { id: directoryId, name: "round trips" } });
  // a process reads a directory's attribute mapping once, then caches it (attribute-mapping-cache.ts)
  await attributeMappingsOf(db).mappingOf(db, directoryId);
});
afterAll(async () => {
  await db?.close();
  await testDb?.drop();
});

describe("statements per SCIM operation", () => {
  it("declared attributes add one read per directory and process after a mapping change, then none", async () => {
    const other = randomUUID();
    await db.prisma.directory.create({ data: { id: other, name: "mapped" } });
    await putAppAttribute(db, "jobTitle", { type: "string" });
    const first = await count((d) => createUser(d, other, { ...user("grace@example.com"), title: "Admiral" }));
    expect({ statements: first.statements, transactions: first.transactions }).toEqual({ statements: 2, transactions: 0 });
    expect(first.result.attributes).toEqual({ jobTitle: "Admiral" });
    const second = await count((d) => createUser(d, other, { ...user("alan@example.com"), title: "Mathematician" }));
    expect({ statements: second.statements, transactions: second.transactions }).toEqual({ statements: 1, transactions: 0 });
    expect(second.result.attributes).toEqual({ jobTitle: "Mathematician" });
    // the declaration is app-wide: the other tests' directory re-reads its mapping once
    await attributeMappingsOf(db).mappingOf(db, directoryId);
  });

  it("POST /Users is one statement; PATCH and PUT read once and write once; reads are one statement", async () => {
    const created = await count((d) => createUser(d, directoryId, user("ada@example.com")));
    expect({ statements: created.statements, transactions: created.transactions }).toEqual({ statements: 1, transactions: 0 });
    const id = created.result.id;

    const disable = { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "active", value: "False" }] };
    const patched = await count((d) => patchUser(d, directoryId, id, disable, LIMITS));
    expect({ statements: patched.statements, transactions: patched.transactions }).toEqual({ statements: 2, transactions: 0 });
    expect(patched.result.active).toBe(false);

    const replaced = await count((d) => replaceUser(d, directoryId, id, { ...user("ada@example.com"), displayName: "Ada" }));
    expect({ statements: replaced.statements, transactions: replaced.transactions }).toEqual({ statements: 2, transactions: 0 });

    const byId = await count((d) => getUser(d, directoryId, id, { groups: true }));
    expect(byId.statements).toBe(1);
    expect(byId.result.groups).toEqual([]);

    const filtered = await count((d) => queryUsers(d, directoryId, { filter: 'userName eq "ada@example.com"' }, 100));
    expect({ statements: filtered.statements, total: filtered.result.totalResults }).toEqual({ statements: 1, total: 1 });
    const unfiltered = await count((d) => queryUsers(d, directoryId, { count: 1 }, 100));
    expect({ statements: unfiltered.statements, total: unfiltered.result.totalResults }).toEqual({ statements: 1, total: 1 });
  });

  it("POST /Groups is one statement; a PATCH adding a member reads once and writes once; DELETE likewise", async () => {
    const member = await createUser(db, directoryId, user("grace@example.com"));
    const created = await count((d) =>
      createGroup(d, directoryId, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Eng" }, 1000),
    );
    expect({ statements: created.statements, transactions: created.transactions }).toEqual({ statements: 1, transactions: 0 });

    const add = { schemas: [PATCH_OP], Operations: [{ op: "Add", path: "members", value: [{ value: member.id }] }] };
    const added = await count((d) => patchGroup(d, directoryId, created.result.id, add, LIMITS));
    expect({ statements: added.statements, transactions: added.transactions, members: added.result.memberCount }).toEqual({
      statements: 2,
      transactions: 0,
      members: 1,
    });

    const deleted = await count((d) => deleteGroup(d, directoryId, created.result.id));
    expect({ statements: deleted.statements, transactions: deleted.transactions }).toEqual({ statements: 2, transactions: 0 });
  });
});
