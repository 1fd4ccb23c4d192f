import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sql, sql, toQuery } from "../../../src/db/sql.js";
import { ScimError } from "../../../src/scim/errors.js";
import { scimFilterToSql, scimSortToSql } from "../../../src/scim/filter/index.js";
import { ENTERPRISE_USER_SCHEMA as ENT } from "../../../src/scim/schema/core-schemas.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-database.js";

// Runs SCIM filters against a real Postgres holding varied users and groups and checks which match.

const CUSTOM = "urn:acme:params:scim:schemas:extension:acme:2.0:User";
const dir = randomUUID();
const otherDir = randomUUID();
const ids: Record<string, string> = {};
for (const k of [
  "alice",
  "bob",
  "carol",
  "dave",
  "eve",
  "frank",
  "grace",
  "heidi",
  "other1",
  "other2",
  "eng",
  "sales",
  "empty",
  "otherEng",
]) {
  ids[k] = randomUUID();
}
const names = new Map(Object.entries(ids).map(([k, v]) => [v, k]));

interface SeedUser {
  key: string;
  directory?: string;
  userName: string;
  externalId?: string | null;
  active?: boolean;
  displayName?: string | null;
  createdAt: string;
  resource: Record<string, unknown>;
}

const users: SeedUser[] = [
  {
    key: "alice",
    userName: "Alice@Example.com",
    externalId: "ext-alice",
    displayName: "Alice Liddell",
    createdAt: "2026-01-01T00:00:00Z",
    resource: {
      title: "Engineer",
      name: { givenName: "Alice", familyName: "Liddell", formatted: "Alice Liddell" },
      emails: [
        { value: "alice@example.com", type: "work", primary: true },
        { value: "alice.home@gmail.com", type: "home" },
      ],
      [ENT]: { employeeNumber: "1001", department: "Engineering", manager: { value: ids.bob } },
      [CUSTOM]: { costCode: "CC-1", level: 5, remote: true },
    },
  },
  {
    key: "bob",
    userName: "BOB@example.com",
    externalId: "ext-bob",
    displayName: "Bob Builder",
    createdAt: "2026-02-01T00:00:00Z",
    resource: {
      name: { givenName: "Bob", familyName: "Builder" },
      emails: [
        { value: "bob@example.org", type: "home" },
        { value: "Bob.Work@Example.COM", type: "work" },
      ],
      [ENT]: { employeeNumber: "1002", department: "Sales" },
    },
  },
  {
    key: "carol",
    userName: "carol",
    externalId: "EXT-CAROL",
    active: false,
    displayName: "Carol",
    createdAt: "2026-03-01T00:00:00Z",
    resource: { title: "", emails: [{ value: "carol@example.com", primary: true }] },
  },
  { key: "dave", userName: "dave_100%@x.com", externalId: null, displayName: null, createdAt: "2026-04-01T00:00:00Z", resource: {} },
  {
    key: "eve",
    userName: "eve\\path",
    displayName: "Eve",
    createdAt: "2026-05-01T00:00:00Z",
    resource: {
      emails: [{ value: "eve@example.com", type: "other" }],
      roles: [{ value: "admin" }],
      [ENT]: { manager: { value: ids.alice } },
      [CUSTOM]: { costCode: "cc-2", level: 7, remote: false, tags: ["blue", "green"] },
    },
  },
  {
    key: "frank",
    userName: "Frank",
    displayName: "frank",
    createdAt: "2026-06-01T00:00:00Z",
    // Stored as the IdP sent it: attribute names in a non-canonical case.
    resource: { Title: "Manager", Emails: [{ Value: "frank@example.com", Type: "Work" }] },
  },
  {
    key: "grace",
    userName: "grace.hopper@example.com",
    createdAt: "2026-07-01T00:00:00Z",
    resource: { emails: [], name: { givenName: "Grace", familyName: "Hopper", formatted: "Grace Hopper" } },
  },
  {
    key: "heidi",
    userName: "Heidi",
    externalId: "ext-heidi",
    createdAt: "2026-08-01T00:00:00Z",
    resource: { phoneNumbers: [{ value: "+1 555 0100", type: "mobile" }], nickName: "H" },
  },
  // Another directory with look-alike users: must never match.
  {
    key: "other1",
    directory: otherDir,
    userName: "alice@example.com",
    externalId: "ext-alice",
    createdAt: "2026-01-01T00:00:00Z",
    resource: { emails: [{ value: "alice@example.com", type: "work" }] },
  },
  {
    key: "other2",
    directory: otherDir,
    userName: "bob@example.com",
    externalId: "ext-bob",
    createdAt: "2026-01-01T00:00:00Z",
    resource: {},
  },
];

function pickEmail(resource: Record<string, unknown>): string | null {
  const emails = (resource.emails ?? resource.Emails ?? []) as Record<string, unknown>[];
  const v = (e: Record<string, unknown>) => (e.value ?? e.Value) as string;
  const work = emails.find((e) => String(e.type ?? e.Type ?? "").toLowerCase() === "work");
  const chosen = work ?? emails.find((e) => e.primary === true) ?? emails[0];
  return chosen ? v(chosen).toLowerCase() : null;
}

let db: TestDatabase;
let client: pg.Client;

async function run(statement: Sql): Promise<string[]> {
  const q = toQuery(statement);
  const r = await client.query(q.text, q.values);
  return r.rows.map((row) => names.get(row.id) ?? row.id).sort();
}

function matchingUsers(filter: string, directory = dir): Promise<string[]> {
  return run(sql`SELECT u.id FROM scim_users u WHERE u.directory_id = ${directory}::uuid AND (${scimFilterToSql("User", filter)})`);
}

function matchingGroups(filter: string, directory = dir): Promise<string[]> {
  return run(sql`SELECT g.id FROM scim_groups g WHERE g.directory_id = ${directory}::uuid AND (${scimFilterToSql("Group", filter)})`);
}

beforeAll(async () => {
  db = await createTestDatabase();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`INSERT INTO directories (id, name) VALUES ($1, 'acme'), ($2, 'other')`, [dir, otherDir]);
  for (const u of users) {
    const given = (u.resource.name as { givenName?: string } | undefined)?.givenName ?? null;
    const family = (u.resource.name as { familyName?: string } | undefined)?.familyName ?? null;
    const resource = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], id: ids[u.key], userName: u.userName, ...u.resource };
    await client.query(
      `INSERT INTO scim_users (id, directory_id, user_name, user_name_norm, external_id, active, display_name, given_name, family_name, email, resource, created_at, updated_at)
       VALUES ($1, $2, $3, lower($3), $4, $5, $6, $7, $8, $9, $10, $11, $11::timestamptz + interval '1 day')`,
      [
        ids[u.key],
        u.directory ?? dir,
        u.userName,
        u.externalId ?? null,
        u.active ?? true,
        u.displayName ?? null,
        given,
        family,
        pickEmail(u.resource),
        JSON.stringify(resource),
        u.createdAt,
      ],
    );
  }
  const groups = [
    { key: "eng", directory: dir, displayName: "Engineering", externalId: "gext-1", createdAt: "2026-01-05T00:00:00Z" },
    { key: "sales", directory: dir, displayName: "Sales", externalId: "gext-2", createdAt: "2026-02-05T00:00:00Z" },
    { key: "empty", directory: dir, displayName: "Empty Group", externalId: "gext-3", createdAt: "2026-03-05T00:00:00Z" },
    { key: "otherEng", directory: otherDir, displayName: "Engineering", externalId: "gext-1", createdAt: "2026-01-05T00:00:00Z" },
  ];
  for (const g of groups) {
    await client.query(
      `INSERT INTO scim_groups (id, directory_id, display_name, display_name_norm, external_id, resource, created_at, updated_at)
       VALUES ($1, $2, $3, lower($3), $4, $5, $6, $6)`,
      [ids[g.key], g.directory, g.displayName, g.externalId, JSON.stringify({ displayName: g.displayName }), g.createdAt],
    );
  }
  const memberships: [string, string, string][] = [
    ["eng", "alice", dir],
    ["eng", "bob", dir],
    ["sales", "bob", dir],
    ["otherEng", "other1", otherDir],
  ];
  for (const [g, u, d] of memberships) {
    await client.query(`INSERT INTO group_members (group_id, user_id, directory_id) VALUES ($1, $2, $3)`, [ids[g], ids[u], d]);
  }
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

const ALL = ["alice", "bob", "carol", "dave", "eve", "frank", "grace", "heidi"];
const except = (...keys: string[]) => ALL.filter((k) => !keys.includes(k));

// [filter, expected users]
const userCases: [string, string[]][] = [
  // Entra's matching queries
  ['userName eq "alice@example.com"', ["alice"]],
  ['userName eq "ALICE@EXAMPLE.COM"', ["alice"]],
  ['USERNAME EQ "bob@EXAMPLE.com"', ["bob"]],
  ['userName eq "6b9b2c1e-3f0a-4c47-9d4a-1a2b3c4d5e6f"', []],
  ['externalId eq "ext-alice"', ["alice"]],
  ['externalId eq "EXT-ALICE"', []],
  ['externalId eq "EXT-CAROL"', ["carol"]],
  ['emails[type eq "work"].value eq "alice@example.com"', ["alice"]],
  ['emails[type eq "work"].value eq "BOB.WORK@example.com"', ["bob"]],
  ['emails[type eq "work"].value eq "bob@example.org"', []],
  ['emails[type eq "work"].value eq "frank@example.com"', ["frank"]],
  ['emails[type eq "work" and value co "@example.com"]', ["alice", "bob", "frank"]],
  ['emails[value eq "carol@example.com"]', ["carol"]],
  ['userName eq "carol" and active eq false', ["carol"]],
  // operators on strings
  ['userName sw "a"', ["alice"]],
  ['userName ew "@example.com"', ["alice", "bob", "grace"]],
  ['userName co "HOPPER"', ["grace"]],
  ['userName co "_100%"', ["dave"]],
  ['userName co "%"', ["dave"]],
  ['userName sw "eve\\\\"', ["eve"]],
  ['userName co "\\\\"', ["eve"]],
  ['userName ne "carol"', except("carol")],
  ['userName gt "frank"', ["grace", "heidi"]],
  ['userName le "bob@example.com"', ["alice", "bob"]],
  ['displayName eq "alice liddell"', ["alice"]],
  ["displayName pr", except("dave", "grace", "heidi")],
  ['displayName ne "Carol"', except("carol")],
  ["displayName eq null", ["dave", "grace", "heidi"]],
  ['name.familyName eq "liddell"', ["alice"]],
  ['name.givenName sw "B"', ["bob"]],
  ['name.formatted co "hopper"', ["grace"]],
  ["name pr", ["alice", "bob", "grace"]],
  ['title eq "engineer"', ["alice"]],
  ['title eq "MANAGER"', ["frank"]],
  ["title pr", ["alice", "frank"]],
  ['nickName eq "h"', ["heidi"]],
  // booleans, null, not
  ["active eq true", except("carol")],
  ["active ne true", ["carol"]],
  ["not (active eq true)", ["carol"]],
  ['not (title eq "engineer")', except("alice")],
  ["externalId eq null", ["dave", "eve", "frank", "grace"]],
  ["externalId pr", ["alice", "bob", "carol", "heidi"]],
  // multi-valued
  ["emails pr", ["alice", "bob", "carol", "eve", "frank"]],
  ["emails.value pr", ["alice", "bob", "carol", "eve", "frank"]],
  ['emails.value eq "alice.home@gmail.com"', ["alice"]],
  ['emails co "gmail"', ["alice"]],
  ['emails.type eq "home"', ["alice", "bob"]],
  ['emails[type eq "home" or type eq "other"]', ["alice", "bob", "eve"]],
  ['emails[not (type eq "work")]', ["alice", "bob", "carol", "eve"]],
  ["emails[primary eq true]", ["alice", "carol"]],
  ['phoneNumbers[type eq "mobile"].value sw "+1"', ["heidi"]],
  ['roles.value eq "admin"', ["eve"]],
  ['emails[type eq "work"].value pr', ["alice", "bob", "frank"]],
  // precedence and grouping
  ['userName eq "carol" or userName eq "heidi" and active eq false', ["carol"]],
  ['(userName eq "carol" or userName eq "heidi") and active eq true', ["heidi"]],
  ['userName eq "carol" or externalId eq "ext-alice"', ["alice", "carol"]],
  ['not (userName eq "carol" or userName eq "heidi")', except("carol", "heidi")],
  // enterprise extension
  [`${ENT}:employeeNumber eq "1001"`, ["alice"]],
  [`${ENT.toLowerCase()}:EMPLOYEENUMBER eq "1002"`, ["bob"]],
  [`${ENT}:department co "eng"`, ["alice"]],
  [`${ENT}:manager.value eq "${ids.bob}"`, ["alice"]],
  [`${ENT}:manager.value pr`, ["alice", "eve"]],
  [`${ENT}:manager[value eq "${ids.alice}"]`, ["eve"]],
  // custom extension (JSON lookup typed by the literal)
  [`${CUSTOM}:costCode eq "cc-1"`, ["alice"]],
  [`${CUSTOM}:level gt 5`, ["eve"]],
  [`${CUSTOM}:level ge 5`, ["alice", "eve"]],
  [`${CUSTOM}:remote eq true`, ["alice"]],
  [`${CUSTOM}:tags eq "green"`, ["eve"]],
  [`${CUSTOM}:costCode pr`, ["alice", "eve"]],
  // dates
  ['meta.created gt "2026-06-15T00:00:00Z"', ["grace", "heidi"]],
  ['meta.created ge "2026-06-01T00:00:00Z"', ["frank", "grace", "heidi"]],
  ['meta.created lt "2026-02-01T00:00:00+00:00"', ["alice"]],
  ['meta.created eq "2026-03-01T01:00:00+01:00"', ["carol"]],
  ['meta.lastModified le "2026-01-02T00:00:00.000Z"', ["alice"]],
  ['meta.created gt "2026-04-30T00:00:00"', ["eve", "frank", "grace", "heidi"]],
  ['meta.resourceType eq "User"', ALL],
  // ids and groups
  [`id eq "${ids.heidi}"`, ["heidi"]],
  [`id eq "${ids.heidi.toUpperCase()}"`, ["heidi"]],
  ['id eq "not-a-uuid"', []],
  [`groups.value eq "${ids.eng}"`, ["alice", "bob"]],
  [`groups[value eq "${ids.sales}"]`, ["bob"]],
  ['groups.display eq "engineering"', ["alice", "bob"]],
  ["groups pr", ["alice", "bob"]],
];

const invalidUserFilters: string[] = [
  'nosuch eq "x"',
  'name.nosuch eq "x"',
  'urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "x"',
  'password eq "secret"',
  "active gt true",
  'active eq "true"',
  "userName eq 5",
  'meta.created gt "yesterday"',
  'meta.created gt "2026-02-30T00:00:00Z"',
  'meta.created co "2026"',
  'name eq "x"',
  "userName gt null",
  'emails[nosuch eq "x"]',
  'userName[value eq "x"]',
  'meta.version eq "W/\\"1\\""',
  `${CUSTOM}:level co 5`,
  'groups.$ref eq "x"',
];

describe("scimFilterToSql on a real database", () => {
  it.each(userCases)("User filter %s", async (filter, expected) => {
    expect(await matchingUsers(filter)).toEqual([...expected].sort());
  });

  it.each(invalidUserFilters)("User filter %s is 400 invalidFilter", (filter) => {
    let error: unknown;
    try {
      scimFilterToSql("User", filter);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScimError);
    expect(error).toMatchObject({ status: 400, scimType: "invalidFilter" });
    expect((error as ScimError).detail.length).toBeGreaterThan(10);
  });

  it.each([
    ['displayName eq "engineering"', ["eng"]],
    ['displayName eq "ENGINEERING"', ["eng"]],
    ['displayName eq "00000000-0000-4000-8000-000000000000"', []],
    [`members.value eq "${ids.bob}"`, ["eng", "sales"]],
    [`members[value eq "${ids.alice}"]`, ["eng"]],
    ["members pr", ["eng", "sales"]],
    ["not (members pr)", ["empty"]],
    ['members.display eq "bob builder"', ["eng", "sales"]],
    ['externalId eq "gext-3"', ["empty"]],
    ['displayName sw "e"', ["empty", "eng"]],
  ] as [string, string[]][])("Group filter %s", async (filter, expected) => {
    expect(await matchingGroups(filter)).toEqual([...expected].sort());
  });

  it("rejects user-only attributes on groups", () => {
    expect(() => scimFilterToSql("Group", 'userName eq "x"')).toThrow(expect.objectContaining({ status: 400, scimType: "invalidFilter" }));
  });

  it("keeps an or-filter inside the caller's directory scope", async () => {
    const filter = 'userName eq "alice@example.com" or externalId eq "ext-bob" or userName pr';
    expect(await matchingUsers(filter)).toEqual(ALL);
    expect(await matchingUsers(filter, otherDir)).toEqual(["other1", "other2"]);
    expect(await matchingGroups('displayName eq "engineering" or externalId pr', otherDir)).toEqual(["otherEng"]);
  });

  it("caps conditions that cannot use an index (10), while indexed ones stay unlimited", async () => {
    const json = (n: number) => Array.from({ length: n }, (_, i) => `title eq "t${i}"`).join(" or ");
    expect(await matchingUsers(`${json(9)} or title eq "engineer"`)).toEqual(["alice"]);
    expect(() => scimFilterToSql("User", `${json(10)} or title eq "engineer"`)).toThrow(
      expect.objectContaining({ status: 400, scimType: "invalidFilter", detail: expect.stringMatching(/more than 10 conditions/) }),
    );
    expect(() => scimFilterToSql("User", Array(6).fill('emails[type eq "work"].value eq "x"').join(" or "))).toThrow(
      expect.objectContaining({ scimType: "invalidFilter" }),
    );
    const ids300 = Array.from({ length: 300 }, (_, i) => `userName eq "nobody${i}"`).join(" or ");
    expect(await matchingUsers(`${ids300} or userName eq "heidi"`)).toEqual(["heidi"]);
  });

  it("binds every literal as a parameter", () => {
    const q = toQuery(scimFilterToSql("User", `userName eq "x'; DROP TABLE scim_users; --" or title co "50%"`));
    expect(q.text).not.toContain("DROP");
    expect(q.values).toContain("x'; DROP TABLE scim_users; --");
    expect(q.values).toContain("%50\\%%");
  });
});

describe("scimSortToSql on a real database", () => {
  async function sorted(sortBy?: string, sortOrder?: string): Promise<string[]> {
    const q = toQuery(
      sql`SELECT u.id FROM scim_users u WHERE u.directory_id = ${dir}::uuid ORDER BY ${scimSortToSql("User", sortBy, sortOrder)}`,
    );
    const r = await client.query(q.text, q.values);
    return r.rows.map((row) => names.get(row.id)!);
  }

  it("defaults to creation order", async () => {
    expect(await sorted()).toEqual(ALL);
  });

  it("sorts userName case-insensitively, both directions", async () => {
    expect(await sorted("userName")).toEqual(["alice", "bob", "carol", "dave", "eve", "frank", "grace", "heidi"]);
    expect(await sorted("USERNAME", "descending")).toEqual(["heidi", "grace", "frank", "eve", "dave", "carol", "bob", "alice"]);
  });

  it("puts missing values last ascending and first descending", async () => {
    expect((await sorted("name.familyName")).slice(0, 3)).toEqual(["bob", "grace", "alice"]);
    expect((await sorted("name.familyName", "descending")).slice(-3)).toEqual(["alice", "grace", "bob"]);
  });

  it("sorts a multi-valued attribute by its primary value, else the first", async () => {
    expect((await sorted("emails.value")).slice(0, 5)).toEqual(["alice", "bob", "carol", "eve", "frank"]);
    expect((await sorted(`${ENT}:employeeNumber`, "descending")).slice(-2)).toEqual(["bob", "alice"]);
  });

  it.each([
    ["nosuch", undefined],
    ["name", undefined],
    ["groups", undefined],
    ["userName", "up"],
  ])("sortBy=%s sortOrder=%s is 400 invalidValue", (sortBy, sortOrder) => {
    expect(() => scimSortToSql("User", sortBy, sortOrder)).toThrow(expect.objectContaining({ status: 400, scimType: "invalidValue" }));
  });
});
