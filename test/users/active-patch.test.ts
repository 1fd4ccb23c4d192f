import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../../src/db/database.js";
import { type Sql, sql } from "../../src/db/sql.js";
import { toAppUser } from "../../src/users/app-user.js";
import { createUser, getUser, patchUser } from "../../src/users/user-service.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";

// Entra's `Replace active` PATCH is one statement that builds its event in SQL (user-store.ts, setUserActive).
// Its event must be exactly what toAppUser makes of the written row, for every resource shape; resources the
// statement cannot reproduce exactly go the general way, with the same result.

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const LIMITS = { maxOperations: 100, maxMembers: 1000 };
const CORE = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

let testDb: TestDatabase;
let db: Database;
let directoryId: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = createDatabase({ url: testDb.url, poolSize: 4, statementTimeoutMs: 10_000 });
  directoryId = randomUUID();
  await db.prisma.directory.create({ data: { id: directoryId, name: "active patch" } });
});
afterAll(async () => {
  await db?.close();
  await testDb?.drop();
});

const shapes: Record<string, Record<string, unknown>> = {
  "Entra's user": {
    userName: "ada@example.com",
    active: true,
    displayName: "Ada",
    title: "Engineer",
    emails: [{ primary: true, type: "work", value: "Ada@Example.com" }],
    name: { givenName: "Ada", familyName: "Lovelace" },
    [ENTERPRISE]: { department: "R&D", manager: { value: "boss-1" }, employeeNumber: "7" },
    "urn:ietf:params:scim:schemas:extension:custom:2.0:User": { costCenter: "42" },
  },
  "attributes in other cases, no active key": {
    UserName: "grace@example.com",
    Title: "",
    EMAILS: [{ Value: "first@example.com" }, { value: "other@example.com", Primary: "TRUE" }, { value: "", type: "work" }],
    "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER": { Department: "Ops", MANAGER: { Value: "boss-2" } },
  },
  "no emails of use, manager without value": {
    userName: "linus@example.com",
    active: true,
    emails: [],
    [ENTERPRISE]: { manager: { displayName: "Boss" } },
  },
  "work email after a primary one, work in capitals": {
    userName: "ken@example.com",
    active: true,
    emails: [
      { value: "p@example.com", primary: true },
      { value: "w@example.com", type: "WORK" },
    ],
  },
  "non-ASCII text (the general path)": {
    userName: "josé@example.com",
    active: true,
    displayName: "José",
    emails: [{ value: "josé@example.com", type: "work" }],
  },
  "an email type that is not a string (the general path)": {
    userName: "barbara@example.com",
    active: true,
    emails: [{ value: "b@example.com", type: ["work"] }],
  },
};

async function lastEvent(userId: string): Promise<{ type: string; data: unknown }> {
  const rows = await db.query<{ type: string; data: unknown }>(
    sql`SELECT type, data FROM events WHERE data ->> 'id' = ${userId} OR data -> 'user' ->> 'id' = ${userId} ORDER BY id DESC LIMIT 1`,
  );
  return rows[0]!;
}

describe("PATCH replace active", () => {
  for (const [name, resource] of Object.entries(shapes)) {
    it(`writes the event toAppUser makes of the row: ${name}`, async () => {
      const schemas = [CORE, ...Object.keys(resource).filter((k) => k.toLowerCase().startsWith("urn:"))];
      const created = await createUser(db, directoryId, { schemas, ...resource });
      for (const value of ["False", "True", "true"]) {
        const body = { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "active", value }] };
        let statements = 0;
        const counting = {
          ...db,
          query: (q: Sql) => {
            statements++;
            return db.query(q);
          },
        } as Database;
        const patched = await patchUser(counting, directoryId, created.id, body, LIMITS);
        // one statement, unless the change goes the general way (read, write) or changes nothing (read)
        const general = name.includes("(the general path)") || value === "true";
        expect(statements).toBe(general ? (value === "true" ? 2 : 3) : 1);
        const stored = await getUser(db, directoryId, created.id);
        expect(patched).toEqual(stored);
        const event = await lastEvent(created.id);
        expect(event.type).toBe(stored.active ? "user.reactivated" : "user.deactivated");
        expect(event.data).toEqual(JSON.parse(JSON.stringify(toAppUser(stored))));
      }
      // the last PATCH changed nothing: no write, no event, the version stays
      expect((await getUser(db, directoryId, created.id)).version).toBe(3);
    });
  }

  it("answers 404 for an unknown user and 412 for a stale If-Match, as the general path does", async () => {
    const body = { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "active", value: "False" }] };
    await expect(patchUser(db, directoryId, randomUUID(), body, LIMITS)).rejects.toMatchObject({ status: 404 });
    const created = await createUser(db, directoryId, { schemas: [CORE], userName: "ifmatch@example.com", active: true });
    await expect(patchUser(db, directoryId, created.id, body, LIMITS, 'W/"9"')).rejects.toMatchObject({ status: 412 });
    expect((await getUser(db, directoryId, created.id)).active).toBe(true);
  });

  it("keeps the resource size limit: a resource at the limit goes the general way and is refused there", async () => {
    const created = await createUser(db, directoryId, {
      schemas: [CORE],
      userName: "big@example.com",
      active: true,
      title: "x".repeat(300),
    });
    const size = Buffer.byteLength(JSON.stringify(created.resource));
    const body = { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "active", value: "False" }] };
    await expect(patchUser(db, directoryId, created.id, body, { ...LIMITS, maxResourceBytes: size })).rejects.toMatchObject({
      status: 413,
    });
  });
});
