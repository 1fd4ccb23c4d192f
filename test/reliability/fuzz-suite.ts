import { randomUUID } from "node:crypto";
import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sql, sql as sqlFragment, toQuery } from "../../src/db/sql.js";
import { ScimError } from "../../src/scim/errors.js";
import { parseScimFilter, scimFilterToSql } from "../../src/scim/filter/index.js";
import { parsePatchPath } from "../../src/scim/patch/patch-path.js";
import { applyPatch, PATCH_OP_SCHEMA, parsePatchRequest, type ScimObject } from "../../src/scim/patch/index.js";
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from "../../src/scim/schema/core-schemas.js";
import { buildTestApp, type TestApp } from "../helpers/test-app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { assertProperty, fuzzSeed } from "../helpers/fuzz-seed.js";
import { createScimDirectory, type ScimDirectory } from "../helpers/scim-fixtures.js";

// Property-based fuzzing of the three parsers a SCIM client feeds directly: the filter parser (and its
// SQL compiler, run against real Postgres), the PATCH path parser and the PATCH applier. For every
// generated input: either a result, or a ScimError 400 with the scimType the RFC names for that input;
// never another exception, never a 5xx, never more than `perInputMs` for one input, and never a change
// to Object.prototype. The same suite runs with 2,000 inputs in `npm test` and 100,000 in the soak suite.

export interface FuzzOptions {
  runs: number;
  /** Upper bound for one input; generous so a loaded CI machine does not flake, tight enough to catch hangs. */
  perInputMs: number;
  /** Defaults to FUZZ_SEED or a fixed seed (test/helpers/fuzz-seed.ts). */
  seed?: number;
}

const FILTER_ATTRIBUTES = [
  "userName",
  "USERNAME",
  "displayName",
  "externalId",
  "id",
  "active",
  "title",
  "nickName",
  "name",
  "name.givenName",
  "name.familyName",
  "emails",
  "emails.value",
  "emails.type",
  "emails.primary",
  "phoneNumbers.value",
  "addresses.locality",
  "meta",
  "meta.created",
  "meta.lastModified",
  "meta.resourceType",
  "members",
  "members.value",
  "members.display",
  "groups",
  "groups.value",
  "password",
  "x509Certificates.value",
  "roles.value",
  `${USER_SCHEMA}:userName`,
  `${USER_SCHEMA}:name.givenName`,
  `${ENTERPRISE_USER_SCHEMA}:employeeNumber`,
  `${ENTERPRISE_USER_SCHEMA}:manager`,
  `${ENTERPRISE_USER_SCHEMA}:manager.value`,
  `${ENTERPRISE_USER_SCHEMA}:department`,
  `${GROUP_SCHEMA}:displayName`,
  "urn:acme:params:scim:schemas:extension:acme:2.0:User:level",
  "urn:ietf:params:scim:schemas:extension:unknown:2.0:User:x",
  "urn:bad",
  "urn::x",
  "__proto__",
  "constructor",
  "constructor.prototype",
  "prototype",
  "emails.__proto__",
  "name.constructor",
  "a.b.c",
  "$ref",
  "members.$ref",
  "1abc",
  "-x",
];
const OPERATORS = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr", "EQ", "Co", "PR", "xx", "=="];
const SUB_ATTRIBUTES = ["value", "type", "primary", "display", "display", "givenName", "__proto__", "constructor", "$ref", "x"];

/** Characters a request log must survive in every field it keeps: NUL, lone surrogates, controls, escapes. */
const hostileUnit = fc.oneof(
  fc.constantFrom("\0", "\uD800", "\uDBFF", "\uDC00", "\uDFFF", "\u0001", "\u007F", "\\", '"', "'", "%", "\n", "é", "\u{1F600}"),
  fc.string({ minLength: 1, maxLength: 1 }),
);
const hostileText = fc.string({ maxLength: 24, unit: hostileUnit });

const jsonString = fc
  .string({ maxLength: 20, unit: fc.constantFrom("a", "B", "é", "\0", "\\", '"', "%", "_", "\n", "\u{1F600}", "\uD800", " ", "*") })
  .map((s) => JSON.stringify(s));
const filterValue: fc.Arbitrary<string> = fc.oneof(
  jsonString,
  fc.constantFrom(
    "true",
    "false",
    "null",
    "TRUE",
    "Null",
    "0",
    "-1",
    "1.5",
    "1e400",
    "-0",
    "01",
    "1e",
    '"2026-01-31T12:00:00Z"',
    '"2026-13-45T99:99:99Z"',
    '"2026-02-30T00:00:00Z"',
    '"0000-01-01T00:00:00Z"',
    '"9999-12-31T23:59:59.999999999+14:00"',
    '"00000000-0000-0000-0000-000000000000"',
    '"not-a-uuid"',
    '"\\u0000"',
    '"\\ud800"',
    '"unterminated',
    "'single'",
    "bare",
  ),
  fc.double().map(String),
  fc.integer().map(String),
);

// Leaves that are usually valid, so the SQL compiler and Postgres see many accepted filters.
const STRING_ATTRIBUTES = [
  "userName",
  "displayName",
  "externalId",
  "title",
  "name.givenName",
  "emails.value",
  "emails.type",
  "members.display",
  `${ENTERPRISE_USER_SCHEMA}:employeeNumber`,
  `${ENTERPRISE_USER_SCHEMA}:manager.value`,
  "urn:acme:params:scim:schemas:extension:acme:2.0:User:level",
  "phoneNumbers.value",
  "id",
  "members.value",
  "groups.value",
];
const typedLeaf: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...STRING_ATTRIBUTES), fc.constantFrom("eq", "ne", "co", "sw", "ew", "gt", "le"), jsonString)
    .map(([a, o, v]) => `${a} ${o} ${v}`),
  fc
    .tuple(fc.constantFrom(...STRING_ATTRIBUTES, "emails", "members", "name", "meta.created", "active"), fc.constant("pr"))
    .map(([a]) => `${a} pr`),
  fc
    .tuple(fc.constantFrom("active", "emails.primary"), fc.constantFrom("eq", "ne"), fc.constantFrom("true", "false"))
    .map(([a, o, v]) => `${a} ${o} ${v}`),
  fc
    .tuple(
      fc.constantFrom("meta.created", "meta.lastModified"),
      fc.constantFrom("gt", "ge", "lt", "le", "eq"),
      fc.date({ noInvalidDate: true }),
    )
    .map(([a, o, d]) => `${a} ${o} "${d.toISOString()}"`),
  fc
    .tuple(fc.constantFrom("emails", "phoneNumbers", "addresses"), fc.constantFrom("type", "value", "primary"), jsonString)
    .map(([a, s, v]) => `${a}[${s === "primary" ? "primary eq true" : `${s} eq ${v}`}]`),
  fc
    .tuple(
      fc.constantFrom("userName", "emails.value", "urn:acme:params:scim:schemas:extension:acme:2.0:User:level"),
      fc.constantFrom("eq", "gt", "lt"),
      fc.oneof(fc.integer().map(String), fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), fc.constantFrom("true", "null")),
    )
    .map(([a, o, v]) => `${a} ${o} ${v}`),
);

// A grammar-shaped filter (mostly well-formed, so the compiler and SQL are exercised too).
const { filter: filterArbitrary } = fc.letrec<{ filter: string; leaf: string }>((tie) => ({
  leaf: fc.oneof(
    { arbitrary: typedLeaf, weight: 4 },
    fc
      .tuple(fc.constantFrom(...FILTER_ATTRIBUTES), fc.constantFrom(...OPERATORS), filterValue)
      .map(([a, o, v]) => (o.toLowerCase() === "pr" ? `${a} ${o}` : `${a} ${o} ${v}`)),
    fc
      .tuple(
        fc.constantFrom("emails", "members", "groups", "phoneNumbers", "name", "meta", "userName", "__proto__"),
        fc.constantFrom(...SUB_ATTRIBUTES),
        fc.constantFrom(...OPERATORS),
        filterValue,
        fc.option(fc.constantFrom(...SUB_ATTRIBUTES)),
        filterValue,
      )
      .map(([a, s, o, v, after, v2]) => `${a}[${s} ${o} ${v}]${after ? `.${after} eq ${v2}` : ""}`),
  ),
  filter: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    tie("leaf"),
    fc.tuple(tie("filter"), fc.constantFrom("and", "or", "AND", "Or", "nand"), tie("filter")).map(([a, op, b]) => `${a} ${op} ${b}`),
    tie("filter").map((f) => `not (${f})`),
    tie("filter").map((f) => `(${f})`),
    fc.tuple(fc.constantFrom("emails", "members"), tie("filter")).map(([a, f]) => `${a}[${f}]`),
  ),
})) as unknown as { filter: fc.Arbitrary<string> };

/** Random edits of a string: insert, delete or replace characters, so near-valid inputs are covered. */
function mutated(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.tuple(
    fc.nat(),
    fc.nat({ max: 3 }),
    fc.constantFrom("(", ")", "[", "]", '"', "\\", " ", ".", ":", "\0", "\uD800", "eq", "not", "x", ""),
  );
  return fc.tuple(base, fc.array(edit, { maxLength: 4 })).map(([s, edits]) => {
    let out = s;
    for (const [at, del, ins] of edits) {
      const i = out.length === 0 ? 0 : at % out.length;
      out = out.slice(0, i) + ins + out.slice(i + del);
    }
    return out;
  });
}

/** Inputs built to make a careless parser recurse deeply or backtrack: nesting, long runs, escapes. */
const pathological: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: 1, max: 6000 }),
    fc.constantFrom("(", "not (", "emails[", '"\\', "a.", "a eq 1 and ", "[", "((a pr)", '"', "\\\\"),
  )
  .map(([n, unit]) => unit.repeat(Math.min(n, Math.floor(12000 / unit.length))));

const anyFilterText = fc.oneof(
  { arbitrary: filterArbitrary, weight: 5 },
  { arbitrary: mutated(filterArbitrary), weight: 3 },
  { arbitrary: fc.string({ maxLength: 200, unit: "binary" }), weight: 1 },
  { arbitrary: pathological, weight: 1 },
);

function timed<T>(perInputMs: number, input: unknown, action: () => T): T {
  const start = performance.now();
  const result = action();
  const ms = performance.now() - start;
  if (ms > perInputMs) throw new Error(`took ${ms.toFixed(0)} ms (limit ${perInputMs}) for ${JSON.stringify(input).slice(0, 300)}`);
  return result;
}

/** Runs `action`; a throw must be a ScimError 400 with one of `scimTypes`. */
function expectResultOrScim400<T>(scimTypes: string[], action: () => T): T | ScimError {
  try {
    return action();
  } catch (error) {
    if (!(error instanceof ScimError)) throw new Error(`non-ScimError thrown: ${(error as Error)?.stack ?? String(error)}`);
    if (error.status !== 400 || !scimTypes.includes(error.scimType ?? "")) {
      throw new Error(`unexpected ScimError ${error.status} ${error.scimType}: ${error.detail}`);
    }
    if (error.detail.length === 0) throw new Error("ScimError without a detail");
    return error;
  }
}

function expectPrototypesClean(): void {
  const probe = {} as Record<string, unknown>;
  if (probe.polluted !== undefined || probe.value !== undefined || probe.userName !== undefined || probe.members !== undefined) {
    throw new Error(`Object.prototype was polluted: ${Object.getOwnPropertyNames(Object.prototype).join(",")}`);
  }
  if (Object.getOwnPropertyNames(Object.prototype).length !== PROTOTYPE_KEYS) throw new Error("Object.prototype gained a property");
  if (Object.getOwnPropertyNames(Array.prototype).length !== ARRAY_PROTOTYPE_KEYS) throw new Error("Array.prototype gained a property");
}
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).length;
const ARRAY_PROTOTYPE_KEYS = Object.getOwnPropertyNames(Array.prototype).length;

/** No key anywhere in a result that could later reach a prototype when the object is spread or merged. */
function expectNoForbiddenKeys(value: unknown, where = "resource"): void {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) expectNoForbiddenKeys(v, `${where}[${i}]`);
    return;
  }
  if (value === null || typeof value !== "object") return;
  if (Object.getPrototypeOf(value) !== Object.prototype) throw new Error(`${where} has a foreign prototype`);
  for (const key of Object.keys(value)) {
    if (["__proto__", "constructor", "prototype"].includes(key.toLowerCase())) throw new Error(`${where} has key ${key}`);
    expectNoForbiddenKeys((value as Record<string, unknown>)[key], `${where}.${key}`);
  }
}

// ---------- PATCH ----------

const PATCH_PATHS = [
  "userName",
  "displayName",
  "active",
  "title",
  "name",
  "name.givenName",
  "name.familyName",
  "name.__proto__",
  "emails",
  'emails[type eq "work"]',
  'emails[type eq "work"].value',
  'emails[type eq "work" and primary eq true].value',
  'emails[value co "@"]',
  "emails.value",
  "emails[not (type pr)]",
  'phoneNumbers[type eq "mobile"].value',
  "addresses",
  'addresses[type eq "work"].streetAddress',
  "roles",
  "password",
  "id",
  "meta",
  "meta.created",
  "schemas",
  "externalId",
  "members",
  'members[value eq "m1"]',
  'members[value eq "m1"].display',
  "members[display pr]",
  "groups",
  ENTERPRISE_USER_SCHEMA,
  `${ENTERPRISE_USER_SCHEMA}:manager`,
  `${ENTERPRISE_USER_SCHEMA}:manager.value`,
  `${ENTERPRISE_USER_SCHEMA}:employeeNumber`,
  `${ENTERPRISE_USER_SCHEMA}:__proto__`,
  `${USER_SCHEMA}:userName`,
  USER_SCHEMA,
  "urn:acme:params:scim:schemas:extension:acme:2.0:User",
  "urn:acme:params:scim:schemas:extension:acme:2.0:User:level",
  "urn:acme:params:scim:schemas:extension:acme:2.0:User:__proto__",
  "urn:acme:params:scim:schemas:extension:acme:2.0:User:constructor.prototype",
  "__proto__",
  "__proto__.polluted",
  "constructor",
  "constructor.prototype",
  "constructor.prototype.polluted",
  "prototype",
  'emails[__proto__ eq "x"].value',
  "emails[type eq].value",
  "emails[",
  "emails]",
  "emails[]",
  "a.b.c",
  "",
  " ",
  "[x]",
  "urn:",
  "urn:x:",
  "manager",
  "department",
  "employeeNumber",
  "name.givenName.x",
  'emails[type eq "work"].__proto__',
  "$ref",
  'members[value eq "m1" or value eq "m2"]',
];

const pathArbitrary = fc.oneof(
  { arbitrary: fc.constantFrom(...PATCH_PATHS), weight: 5 },
  { arbitrary: mutated(fc.constantFrom(...PATCH_PATHS)), weight: 3 },
  { arbitrary: fc.string({ maxLength: 80, unit: "binary" }), weight: 1 },
  { arbitrary: pathological, weight: 1 },
);

const hostileObject = fc.constantFrom<unknown>(
  JSON.parse('{"__proto__": {"polluted": "yes"}}'),
  JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}'),
  JSON.parse('{"value": {"__proto__": {"polluted": "yes"}}}'),
  JSON.parse(`{"${ENTERPRISE_USER_SCHEMA}": {"__proto__": {"polluted": "yes"}}}`),
  JSON.parse('[{"__proto__": {"polluted": "yes"}}]'),
  JSON.parse('{"name": {"constructor": {"prototype": {"polluted": "yes"}}}}'),
  JSON.parse('{"emails": [{"value": "a@b.c", "__proto__": {"polluted": "yes"}}]}'),
);
const deepValue = fc.integer({ min: 1, max: 200 }).map((n) => {
  let v: unknown = "leaf";
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { value: v };
  return v;
});
const patchValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 4 },
  { arbitrary: hostileObject, weight: 2 },
  { arbitrary: deepValue, weight: 1 },
  {
    arbitrary: fc.constantFrom<unknown>(
      null,
      "",
      [],
      {},
      [{ value: "m1" }, { value: "m2" }],
      [{ value: "" }],
      { value: "x@y.z", type: "work", primary: true },
      "False",
      "true",
    ),
    weight: 2,
  },
);

const operation = fc.record(
  {
    op: fc.oneof(
      fc.constantFrom("add", "replace", "remove", "Add", "REPLACE", "Remove"),
      fc.string({ maxLength: 6 }),
      fc.constant(7 as unknown as string),
    ),
    path: fc.oneof(
      pathArbitrary,
      fc.constant(undefined as unknown as string),
      fc.constant(null as unknown as string),
      fc.constant(3 as unknown as string),
    ),
    value: patchValue,
  },
  { requiredKeys: ["op"] },
);

const patchBody: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc.array(operation, { minLength: 1, maxLength: 5 }).map((Operations) => ({ schemas: [PATCH_OP_SCHEMA], Operations })),
    weight: 8,
  },
  {
    arbitrary: fc.array(operation, { maxLength: 3 }).map((operations) => ({ schemas: [PATCH_OP_SCHEMA.toUpperCase()], operations })),
    weight: 1,
  },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
  { arbitrary: hostileObject, weight: 1 },
);

const storedUser: ScimObject = {
  schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
  userName: "alice@example.com",
  active: true,
  name: { givenName: "Alice", familyName: "Liddell" },
  emails: [
    { value: "alice@example.com", type: "work", primary: true },
    { value: "a@home.example", type: "home" },
  ],
  phoneNumbers: [{ value: "+1 555", type: "mobile" }],
  [ENTERPRISE_USER_SCHEMA]: { employeeNumber: "1001", manager: { value: "boss" } },
};
const storedGroup: ScimObject = { schemas: [GROUP_SCHEMA], displayName: "Engineering", externalId: "g-1" };

const PATCH_SCIM_TYPES = ["invalidSyntax", "invalidValue", "invalidPath", "noTarget", "mutability", "invalidFilter"];

export function defineFuzzSuite(options: FuzzOptions): void {
  const { runs, perInputMs } = options;
  const seed = options.seed ?? fuzzSeed();
  const params = { numRuns: runs, seed, endOnFailure: true };

  describe("filter parser and SQL compiler", () => {
    let db: TestDatabase;
    let client: pg.Client;
    const dir = randomUUID();

    beforeAll(async () => {
      db = await createTestDatabase();
      // a filter whose SQL runs this long is itself a finding (a cheap request that ties up the database)
      client = new pg.Client({ connectionString: db.url, statement_timeout: 10_000 });
      await client.connect();
      await seedOddRows(client, dir);
    });
    afterAll(async () => {
      await client?.end();
      await db?.drop();
    }, 120_000);

    it(`${runs} filters: a parse tree or 400 invalidFilter, within ${perInputMs} ms each; every accepted filter runs in Postgres`, async () => {
      const accepted: { resourceType: "User" | "Group"; text: string; sql: Sql }[] = [];
      await assertProperty(
        fc.property(anyFilterText, fc.constantFrom<"User" | "Group">("User", "Group"), (text, resourceType) => {
          const result = timed(perInputMs, text, () =>
            expectResultOrScim400(["invalidFilter"], () => scimFilterToSql(resourceType, parseScimFilter(text))),
          );
          expectPrototypesClean();
          if (!(result instanceof ScimError) && accepted.length < runs) accepted.push({ resourceType, text, sql: result });
        }),
        params,
      );
      expect(accepted.length).toBeGreaterThan(runs / 20);
      // A filter the compiler accepts must never turn into a database error (that would be a 500).
      const failures: string[] = [];
      for (const { resourceType, text, sql } of accepted) {
        const query =
          resourceType === "User"
            ? toQuery(sqlFragment`SELECT count(*) FROM scim_users u WHERE u.directory_id = ${dir}::uuid AND (${sql})`)
            : toQuery(sqlFragment`SELECT count(*) FROM scim_groups g WHERE g.directory_id = ${dir}::uuid AND (${sql})`);
        try {
          await client.query(query.text, query.values);
        } catch (error) {
          failures.push(`${resourceType} ${JSON.stringify(text)}: ${(error as Error).message}`);
          if (failures.length >= 5) break;
        }
      }
      expect(failures).toEqual([]);
    });
  });

  it(`${runs} PATCH paths: a parsed path or 400 invalidPath, within ${perInputMs} ms each`, async () => {
    const known = [USER_SCHEMA, ENTERPRISE_USER_SCHEMA];
    await assertProperty(
      fc.property(pathArbitrary, fc.constantFrom("User", "Group"), (path, container) => {
        const result = timed(perInputMs, path, () => expectResultOrScim400(["invalidPath"], () => parsePatchPath(path, container, known)));
        if (!(result instanceof ScimError)) {
          for (const name of [result.attribute, result.subAttribute]) {
            if (name && ["__proto__", "constructor", "prototype"].includes(name.toLowerCase())) throw new Error(`accepted ${name}`);
          }
        }
        expectPrototypesClean();
      }),
      params,
    );
  });

  it(`${runs} PATCH bodies on a stored User and Group: a new resource or 400 with a PATCH scimType; the stored one untouched`, async () => {
    const limits = { maxOperations: 10, maxMembers: 3 };
    await assertProperty(
      fc.property(patchBody, fc.constantFrom<"User" | "Group">("User", "Group"), (body, resourceType) => {
        const stored = resourceType === "User" ? storedUser : storedGroup;
        const before = JSON.stringify(stored);
        const result = timed(perInputMs, body, () =>
          expectResultOrScim400(PATCH_SCIM_TYPES, () => applyPatch(resourceType, stored, parsePatchRequest(body, limits))),
        );
        expectPrototypesClean();
        if (JSON.stringify(stored) !== before) throw new Error("applyPatch changed the stored resource in place");
        if (!(result instanceof ScimError)) {
          expectNoForbiddenKeys(result.resource);
          JSON.stringify(result.resource); // must stay serialisable (no cycles)
          if (resourceType === "User" && typeof result.resource.userName !== "string") throw new Error("userName lost");
          if (resourceType === "Group" && typeof result.resource.displayName !== "string") throw new Error("displayName lost");
          const members = result.memberChanges.reduce((n, c) => n + ("ids" in c ? (c.ids as unknown[]).length : 0), 0);
          if (members > limits.maxMembers) throw new Error(`member limit bypassed: ${members}`);
        }
      }),
      params,
    );
  });

  describe("through HTTP", () => {
    let t: TestApp;
    let d: ScimDirectory;
    let userId: string;
    let groupId: string;
    const httpRuns = Math.max(100, Math.floor(runs / 10));
    const queryValue = fc.oneof(
      anyFilterText,
      fc.string({ maxLength: 30 }),
      hostileText,
      fc.constantFrom("-1", "0", "1e9", "NaN", "", "9".repeat(40), "1.5"),
    );

    beforeAll(async () => {
      t = await buildTestApp({ SCIM_PATCH_MAX_OPERATIONS: "10", SCIM_MAX_MEMBERS_PER_REQUEST: "3" });
      d = await createScimDirectory(t);
      const user = await t.app.inject({ method: "POST", url: `${d.base}/Users`, headers: d.headers, payload: storedUser });
      userId = user.json().id;
      const group = await t.app.inject({ method: "POST", url: `${d.base}/Groups`, headers: d.headers, payload: storedGroup });
      groupId = group.json().id;
    });
    afterAll(async () => t?.close(), 120_000);

    function expectClientAnswer(res: { statusCode: number; body: string }, input: unknown): void {
      if (res.statusCode >= 500) throw new Error(`${res.statusCode} for ${JSON.stringify(input).slice(0, 300)}: ${res.body.slice(0, 300)}`);
      if (res.statusCode >= 400) {
        const body = JSON.parse(res.body) as { schemas?: string[]; status?: string };
        if (body.schemas?.[0] !== "urn:ietf:params:scim:api:messages:2.0:Error" || body.status !== String(res.statusCode)) {
          throw new Error(`not a SCIM error body: ${res.body.slice(0, 300)}`);
        }
      }
    }

    it(`${httpRuns} list queries (filter, sortBy, sortOrder, startIndex, count, attributes): never a 5xx, errors are SCIM bodies`, async () => {
      await assertProperty(
        fc.asyncProperty(
          fc.record(
            {
              filter: queryValue,
              sortBy: queryValue,
              sortOrder: queryValue,
              startIndex: queryValue,
              count: queryValue,
              attributes: queryValue,
              excludedAttributes: queryValue,
            },
            { requiredKeys: [] },
          ),
          fc.constantFrom("Users", "Groups"),
          async (query, resource) => {
            const res = await t.app.inject({
              method: "GET",
              url: `${d.base}/${resource}`,
              query: query as Record<string, string>,
              headers: d.headers,
            });
            expectClientAnswer(res, query);
          },
        ),
        { ...params, numRuns: httpRuns },
      );
    });

    it(`${httpRuns} requests with NUL and lone surrogates in the URL path, query, headers and body: never a 5xx, each one logged`, async () => {
      const logged = async () =>
        (await t.app.db.pool.query("SELECT count(*)::int AS n FROM scim_requests WHERE directory_id = $1", [d.directoryId])).rows[0]
          .n as number;
      await t.app.requestLog.flush();
      const before = await logged();
      const droppedBefore = t.app.requestLog.dropped;
      let sent = 0;
      await assertProperty(
        fc.asyncProperty(
          fc.record({
            method: fc.constantFrom<"GET" | "POST" | "PATCH" | "PUT" | "DELETE">("GET", "POST", "PATCH", "PUT", "DELETE"),
            resource: fc.constantFrom("Users", "Groups", "users", "Bulk"),
            id: fc.option(hostileText, { nil: undefined }),
            query: fc.dictionary(fc.constantFrom("filter", "attributes", "count", "x"), hostileText, { maxKeys: 2 }),
            clientRequestId: fc.option(hostileText, { nil: undefined }),
            body: fc.option(fc.dictionary(hostileText, hostileText, { maxKeys: 3 }), { nil: undefined }),
          }),
          async (input) => {
            const path = `${d.base}/${input.resource}${input.id === undefined ? "" : `/${input.id}`}`;
            const query = Object.entries(input.query)
              .map(([k, v]) => `${k}=${v}`)
              .join("&");
            const headers: Record<string, string> = { ...d.headers };
            if (input.clientRequestId !== undefined) headers["client-request-id"] = input.clientRequestId;
            const res = await t.app.inject({
              method: input.method,
              url: query ? `${path}?${query}` : path,
              headers,
              ...(input.body === undefined || input.method === "GET" ? {} : { payload: JSON.stringify(input.body) }),
            });
            sent++;
            expectClientAnswer(res, input);
          },
        ),
        { ...params, numRuns: httpRuns },
      );
      await t.app.requestLog.flush();
      expect({ logged: (await logged()) - before, dropped: t.app.requestLog.dropped - droppedBefore }, `FUZZ_SEED=${seed}`).toEqual({
        logged: sent,
        dropped: 0,
      });
    });

    it(`${httpRuns} PATCH, PUT and POST bodies: never a 5xx, errors are SCIM bodies, the prototype stays clean`, async () => {
      await assertProperty(
        fc.asyncProperty(
          fc.oneof(
            patchBody,
            fc.jsonValue({ maxDepth: 4 }),
            hostileObject,
            fc.record({
              schemas: fc.constant([USER_SCHEMA]),
              userName: fc.string(),
              emails: fc.jsonValue({ maxDepth: 2 }),
              name: fc.jsonValue({ maxDepth: 2 }),
            }),
          ),
          fc.constantFrom("PATCH user", "PATCH group", "PUT user", "POST user", "POST group"),
          async (body, target) => {
            const [method, kind] = target.split(" ") as ["PATCH" | "PUT" | "POST", "user" | "group"];
            const path = kind === "user" ? "Users" : "Groups";
            const url = method === "POST" ? `${d.base}/${path}` : `${d.base}/${path}/${kind === "user" ? userId : groupId}`;
            const res = await t.app.inject({ method, url, headers: d.headers, payload: JSON.stringify(body) });
            expectClientAnswer(res, body);
            expectPrototypesClean();
          },
        ),
        { ...params, numRuns: httpRuns },
      );
    });
  });
}

/** Rows whose JSON holds odd types (numbers where strings are expected, etc.), so casts in SQL are exercised. */
async function seedOddRows(client: pg.Client, dir: string): Promise<void> {
  await client.query(`INSERT INTO directories (id, name) VALUES ($1, 'fuzz')`, [dir]);
  const resources: ScimObject[] = [
    { ...storedUser, id: randomUUID() },
    {
      schemas: [USER_SCHEMA],
      userName: "odd",
      emails: [{ value: 5, type: ["x"], primary: "yes" }, "not-an-object", null],
      name: "flat",
      active: "maybe",
      title: 7,
      [ENTERPRISE_USER_SCHEMA]: { employeeNumber: 12, manager: "boss", department: { x: 1 } },
      "urn:acme:params:scim:schemas:extension:acme:2.0:User": { level: "high" },
      meta: { created: "yesterday" },
      groups: "g",
    },
    { schemas: [USER_SCHEMA], userName: "empty", emails: [], name: {}, phoneNumbers: {} },
  ];
  for (const [i, resource] of resources.entries()) {
    const id = randomUUID();
    await client.query(
      `INSERT INTO scim_users (id, directory_id, user_name, user_name_norm, active, resource) VALUES ($1, $2, $3, lower($3), true, $4)`,
      [id, dir, `${resource.userName}-${i}`, JSON.stringify({ ...resource, id })],
    );
  }
  const group = randomUUID();
  await client.query(
    `INSERT INTO scim_groups (id, directory_id, display_name, display_name_norm, resource) VALUES ($1, $2, 'G', 'g', $3)`,
    [group, dir, JSON.stringify({ displayName: "G", members: "odd", meta: 3 })],
  );
}
