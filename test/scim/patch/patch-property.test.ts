import fc from "fast-check";
import { assertProperty, fuzzSeed } from "../../helpers/fuzz-seed.js";
import { describe, expect, it } from "vitest";
import { ScimError } from "../../../src/scim/errors.js";
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from "../../../src/scim/schema/core-schemas.js";
import { applyPatch, PATCH_OP_SCHEMA, parsePatchRequest } from "../../../src/scim/patch/index.js";

// Arbitrary bodies: the engine either applies them or throws a 400 ScimError — never anything else,
// never slowly, never touching the stored resource it was given.

const user = deepFreeze({
  schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
  userName: "ada@example.com",
  displayName: "Ada",
  name: { givenName: "Ada", familyName: "Lovelace" },
  emails: [
    { type: "work", value: "ada@example.com", primary: true },
    { type: "home", value: "h@x" },
  ],
  addresses: [{ type: "work", locality: "London" }],
  active: true,
  [ENTERPRISE_USER_SCHEMA]: { department: "Math", manager: { value: "m-1" } },
  "urn:acme:2.0:User": { tags: ["a"], nested: { x: 1 } },
});
const group = deepFreeze({ schemas: [GROUP_SCHEMA], displayName: "G", externalId: "g-1" });

const names = [
  "userName",
  "displayName",
  "DISPLAYNAME",
  "name",
  "emails",
  "phoneNumbers",
  "addresses",
  "active",
  "members",
  "groups",
  "id",
  "meta",
  "password",
  "manager",
  "department",
  "title",
  "x509Certificates",
  "roles",
  "companyName",
  "__proto__",
  "constructor",
  "prototype",
  ENTERPRISE_USER_SCHEMA,
  `${ENTERPRISE_USER_SCHEMA}:manager`,
  `${ENTERPRISE_USER_SCHEMA}:department`,
  "urn:acme:2.0:User",
  "urn:acme:2.0:User:tags",
  "urn:acme:2.0:User:nested",
  USER_SCHEMA,
  `${USER_SCHEMA}:userName`,
  "schemas",
  "$ref",
];
const subs = ["value", "type", "primary", "givenName", "formatted", "display", "created", "__proto__", "x", "Value"];
const filters = [
  'type eq "work"',
  'TYPE eq "home"',
  "primary eq true",
  'value co "a"',
  'type eq "work" and primary eq true',
  "not (type pr)",
  'value eq "m-1" or value eq "u1"',
  "type eq",
  '__proto__ eq "x"',
  '(type sw "w"',
  "value gt 3",
  'type eq "a]"',
];

const path = fc.oneof(
  { arbitrary: fc.constantFrom(...names), weight: 4 },
  { arbitrary: fc.tuple(fc.constantFrom(...names), fc.constantFrom(...subs)).map(([a, s]) => `${a}.${s}`), weight: 3 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom(...names), fc.constantFrom(...filters), fc.option(fc.constantFrom(...subs)))
      .map(([a, f, s]) => `${a}[${f}]${s === null ? "" : `.${s}`}`),
    weight: 3,
  },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
  {
    arbitrary: fc.string({ unit: fc.constantFrom("a", ".", "[", "]", '"', ":", " ", "urn", "eq", "_", "(", ")"), maxLength: 30 }),
    weight: 1,
  },
);
const scalar = fc.oneof(
  fc.constantFrom("", "True", "false", "FALSE", null, true, false, 0, "m-1", "u1"),
  fc.string({ maxLength: 10 }),
  fc.double(),
);
const element = fc.dictionary(fc.constantFrom(...subs, ...names.slice(0, 6)), scalar, { maxKeys: 4 });
const attributes = fc.dictionary(
  fc.constantFrom(...names, "name.givenName", 'emails[type eq "work"].value'),
  fc.oneof(scalar, element, fc.array(element, { maxLength: 2 })),
  { minKeys: 1, maxKeys: 4 },
);
const value = fc.oneof(
  { arbitrary: scalar, weight: 3 },
  { arbitrary: element, weight: 2 },
  { arbitrary: fc.array(element, { maxLength: 4 }), weight: 2 },
  { arbitrary: attributes, weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 4 }), weight: 1 },
);
const anyOp = fc.oneof(
  { arbitrary: fc.constantFrom("add", "Add", "REPLACE", "replace", "remove", "Remove"), weight: 20 },
  { arbitrary: fc.string({ maxLength: 8 }), weight: 1 },
);
// Weighted so that most requests get past validation and exercise applyPatch.
const operation = fc.oneof(
  { arbitrary: fc.record({ op: anyOp, path, value }), weight: 12 },
  { arbitrary: fc.record({ op: fc.constantFrom("remove", "Remove"), path }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constantFrom("add", "replace", "Replace"), value: attributes }), weight: 4 },
  { arbitrary: fc.anything({ maxDepth: 2 }), weight: 1 },
);
// JSON round trip: what the HTTP layer hands over (and turns "__proto__" keys into real own keys).
const body = fc
  .oneof(
    {
      arbitrary: fc.record({ schemas: fc.constant([PATCH_OP_SCHEMA]), Operations: fc.array(operation, { minLength: 1, maxLength: 3 }) }),
      weight: 19,
    },
    { arbitrary: fc.anything({ maxDepth: 3 }), weight: 1 },
  )
  .map((b) =>
    b === undefined
      ? undefined
      : JSON.parse(JSON.stringify(b, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? 0 : v)) ?? "null"),
  );

describe("PATCH engine properties", () => {
  it("applies or fails with a 400 ScimError, within 50 ms, without mutating the input", async () => {
    await assertProperty(
      fc.property(body, fc.boolean(), (request, isGroup) => {
        const attempt = () => {
          const started = performance.now();
          try {
            const operations = parsePatchRequest(request, { maxOperations: 5, maxMembers: 5 });
            const result = applyPatch(isGroup ? "Group" : "User", isGroup ? group : user, operations);
            expect(JSON.parse(JSON.stringify(result.resource))).toEqual(result.resource);
          } catch (error) {
            if (!(error instanceof ScimError)) throw error;
            expect(error.status).toBe(400);
          }
          return performance.now() - started;
        };
        // A slow input is slow every time; a one-off pause (GC, a busy shared CI core) is not.
        let fastest = attempt();
        for (let retry = 0; retry < 2 && fastest >= 50; retry++) fastest = Math.min(fastest, attempt());
        expect(fastest).toBeLessThan(50);
      }),
      { numRuns: 2000, seed: fuzzSeed() },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).toEqual({});
  });
});

function deepFreeze<T>(target: T): T {
  if (target && typeof target === "object") {
    for (const child of Object.values(target)) deepFreeze(child);
    Object.freeze(target);
  }
  return target;
}
