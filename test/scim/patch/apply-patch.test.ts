import { describe, expect, it } from "vitest";
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from "../../../src/scim/schema/core-schemas.js";
import { applyPatch, type PatchOperation, type ScimObject } from "../../../src/scim/patch/index.js";
import { expectScimError } from "./scim-error-assertions.js";

const user: ScimObject = {
  schemas: [USER_SCHEMA],
  userName: "ada@example.com",
  displayName: "Ada",
  name: { givenName: "Ada", familyName: "Lovelace" },
  emails: [{ type: "work", value: "ada@example.com", primary: true }],
  active: true,
};
const group: ScimObject = { schemas: [GROUP_SCHEMA], displayName: "Engineers" };
const ENT = ENTERPRISE_USER_SCHEMA;

const patchUser = (operations: PatchOperation[], resource: ScimObject = user) => applyPatch("User", resource, operations).resource;
const patchGroup = (operations: PatchOperation[]) => applyPatch("Group", group, operations);

describe("simple and sub-attribute paths", () => {
  it("matches attribute names in any case and stores them in the schema's spelling", () => {
    const resource = patchUser([
      { op: "replace", path: "DisplayName", value: "Ada L" },
      { op: "replace", path: "NAME.GIVENNAME", value: "Augusta" },
      { op: "add", path: `${ENT.toUpperCase()}:DEPARTMENT`, value: "Math" },
    ]);
    expect(resource.displayName).toBe("Ada L");
    expect(resource.name).toEqual({ givenName: "Augusta", familyName: "Lovelace" });
    expect(resource[ENT]).toEqual({ department: "Math" });
    expect(Object.keys(resource)).not.toContain("DisplayName");
  });

  it('unqualified extension names ("department") go to the enterprise extension and add its schema', () => {
    const resource = patchUser([{ op: "add", path: "department", value: "R&D" }]);
    expect(resource[ENT]).toEqual({ department: "R&D" });
    expect(resource.schemas).toEqual([USER_SCHEMA, ENT]);
  });

  it("replace of a complex attribute merges sub-attributes (RFC 7644 §3.5.2.3)", () => {
    expect(patchUser([{ op: "replace", path: "name", value: { givenName: "A", middleName: "B" } }]).name).toEqual({
      givenName: "A",
      middleName: "B",
      familyName: "Lovelace",
    });
  });

  it('"" and null clear an attribute (store nothing), for add, replace and inside no-path values', () => {
    const resource = patchUser([
      { op: "replace", path: "displayName", value: "" },
      { op: "add", path: "name.familyName", value: null },
      { op: "replace", value: { active: "" } },
    ]);
    expect(resource).not.toHaveProperty("displayName");
    expect(resource).not.toHaveProperty("active");
    expect(resource.name).toEqual({ givenName: "Ada" });
  });

  it("removing an attribute that has no value succeeds and changes nothing", () => {
    expect(patchUser([{ op: "remove", path: "title" }])).toEqual(user);
  });

  it.each([
    ["True", true],
    ["FALSE", false],
    ["true", true],
    [false, false],
  ])("active %j becomes the boolean %j", (value, expected) => {
    expect(patchUser([{ op: "Replace" as "replace", path: "active", value }]).active).toBe(expected);
  });

  it("drops a password instead of storing it", () => {
    expect(
      patchUser([
        { op: "replace", path: "password", value: "s3cret" },
        { op: "replace", value: { password: "x" } },
      ]),
    ).toEqual(user);
  });

  it("accepts core attributes wrapped in the core schema URN, as some clients send them", () => {
    const resource = patchUser([{ op: "replace", value: { [USER_SCHEMA]: { displayName: "Ada L", "name.givenName": "A" } } }]);
    expect(resource).toEqual({ ...user, displayName: "Ada L", name: { givenName: "A", familyName: "Lovelace" } });
    expect(patchUser([{ op: "replace", path: `${USER_SCHEMA}:userName`, value: "b@example.com" }]).userName).toBe("b@example.com");
  });

  it("ignores read-only attributes inside a no-path value, as PUT does", () => {
    const resource = patchUser([
      { op: "replace", value: { id: "other", meta: { created: "x" }, groups: [], schemas: ["x"], nickName: "A" } },
    ]);
    expect(resource).toEqual({ ...user, nickName: "A" });
  });
});

describe("multi-valued attributes and value filters", () => {
  it("add appends and skips identical values; replace replaces the list", () => {
    const added = patchUser([
      {
        op: "add",
        path: "emails",
        value: [
          { type: "home", value: "a@home.example" },
          { type: "work", value: "ada@example.com", primary: true },
        ],
      },
    ]);
    expect(added.emails).toEqual([
      { type: "work", value: "ada@example.com", primary: true },
      { type: "home", value: "a@home.example" },
    ]);
    expect(patchUser([{ op: "replace", path: "emails", value: [{ type: "home", value: "h@x" }] }]).emails).toEqual([
      { type: "home", value: "h@x" },
    ]);
  });

  it("a new primary value makes the others non-primary (RFC 7644 §3.5.2)", () => {
    const resource = patchUser([{ op: "add", path: "emails", value: [{ type: "home", value: "h@x", primary: "True" }] }]);
    expect(resource.emails).toEqual([
      { type: "work", value: "ada@example.com", primary: false },
      { type: "home", value: "h@x", primary: true },
    ]);
  });

  it("filters compare case-insensitively (caseExact false) and update only matching elements", () => {
    const resource = patchUser([{ op: "replace", path: 'emails[TYPE eq "WORK"].value', value: "new@example.com" }]);
    expect(resource.emails).toEqual([{ type: "work", value: "new@example.com", primary: true }]);
  });

  it('add through a filter matching nothing creates the element, from every "eq" of an "and" filter', () => {
    const resource = patchUser([
      { op: "add", path: 'addresses[type eq "work"].formatted', value: "1 Main St" },
      { op: "add", path: 'phoneNumbers[type eq "mobile" and primary eq true].value', value: "555" },
    ]);
    expect(resource.addresses).toEqual([{ type: "work", formatted: "1 Main St" }]);
    expect(resource.phoneNumbers).toEqual([{ type: "mobile", primary: true, value: "555" }]);
  });

  it("a filter without a sub-attribute merges into the matching element, or creates one", () => {
    expect(patchUser([{ op: "replace", path: 'emails[type eq "work"]', value: { display: "Ada" } }]).emails).toEqual([
      { type: "work", value: "ada@example.com", primary: true, display: "Ada" },
    ]);
    expect(patchUser([{ op: "add", path: 'emails[type eq "home"]', value: { value: "h@x" } }]).emails).toEqual([
      { type: "work", value: "ada@example.com", primary: true },
      { type: "home", value: "h@x" },
    ]);
  });

  it("remove through a filter removes the matching elements, and the attribute when none is left", () => {
    expect(patchUser([{ op: "remove", path: 'emails[value co "ADA@"]' }])).not.toHaveProperty("emails");
  });

  it("supports ne, sw, ew, pr, or, not and parentheses in filters", () => {
    const resource: ScimObject = {
      ...user,
      emails: [{ type: "work", value: "a@x.org" }, { type: "home", value: "b@y.com" }, { type: "other" }],
    };
    const keep = (path: string) => (patchUser([{ op: "remove", path }], resource).emails as { type: string }[]).map((e) => e.type);
    expect(keep('emails[type ne "work"]')).toEqual(["work"]);
    expect(keep('emails[value sw "a@"]')).toEqual(["home", "other"]);
    expect(keep('emails[value ew ".com"]')).toEqual(["work", "other"]);
    expect(keep("emails[not (value pr)]")).toEqual(["work", "home"]);
    expect(keep('emails[(type eq "work") or type eq "home"]')).toEqual(["other"]);
  });

  it("remove of a sub-attribute through a filter", () => {
    expect(patchUser([{ op: "remove", path: 'emails[type eq "work"].primary' }]).emails).toEqual([
      { type: "work", value: "ada@example.com" },
    ]);
  });

  it("remove with a value list removes just those values", () => {
    const resource = patchUser([
      { op: "add", path: "emails", value: [{ type: "home", value: "h@x" }] },
      { op: "remove", path: "emails", value: [{ value: "h@x" }] },
    ]);
    expect(resource.emails).toEqual(user.emails);
  });
});

describe("enterprise manager", () => {
  const managerPath = `${ENT}:manager`;

  it('plain string id, object form, then Replace "" and Remove clear it', () => {
    const withString = patchUser([{ op: "Add" as "add", path: managerPath, value: "m-1" }]);
    expect(withString[ENT]).toEqual({ manager: { value: "m-1" } });
    const withObject = patchUser(
      [{ op: "replace", path: managerPath, value: { value: "m-2", displayName: "ignored (read-only)" } }],
      withString,
    );
    expect(withObject[ENT]).toEqual({ manager: { value: "m-2" } });
    expect(patchUser([{ op: "replace", path: managerPath, value: "" }], withObject)).not.toHaveProperty(ENT);
    expect(patchUser([{ op: "remove", path: managerPath }], withObject)).not.toHaveProperty(ENT);
  });

  it("keeps other enterprise attributes when the manager is removed", () => {
    const resource = patchUser([
      { op: "add", value: { [`${ENT}:manager`]: "m-1", [ENT]: { department: "D" } } },
      { op: "remove", path: `${ENT}:manager` },
    ]);
    expect(resource[ENT]).toEqual({ department: "D" });
  });

  it("removing the whole extension by its URN also drops it from schemas", () => {
    const set = patchUser([{ op: "add", path: `${ENT}:department`, value: "D" }]);
    const removed = patchUser([{ op: "remove", path: ENT }], set);
    expect(removed).not.toHaveProperty(ENT);
    expect(removed.schemas).toEqual([USER_SCHEMA]);
  });
});

describe("custom extension URNs", () => {
  const custom = "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User";

  it("stores values as sent under the URN and lists the URN in schemas", () => {
    const resource = patchUser([
      { op: "add", path: `${custom}:CustomAttribute`, value: "x" },
      { op: "add", value: { [`${custom}:tags`]: ["a", "b"], [custom]: { level: 3 } } },
    ]);
    expect(resource[custom]).toEqual({ CustomAttribute: "x", tags: ["a", "b"], level: 3 });
    expect(resource.schemas).toEqual([USER_SCHEMA, custom]);
  });

  it("reuses the stored spelling of a URN and attribute", () => {
    const set = patchUser([{ op: "add", path: `${custom}:Badge`, value: "1" }]);
    const changed = patchUser([{ op: "replace", path: `${custom.toLowerCase()}:badge`, value: "2" }], set);
    expect(changed[custom]).toEqual({ Badge: "2" });
    expect(changed.schemas).toEqual([USER_SCHEMA, custom]);
  });
});

describe("groups", () => {
  it("member operations become ordered member changes and leave the resource alone", () => {
    const { resource, memberChanges } = patchGroup([
      { op: "add", path: "members", value: [{ value: "u1" }, { value: "u2" }, { value: "u1" }] },
      { op: "remove", path: 'members[value eq "u1" or value eq "u3"]' },
      { op: "replace", path: "members", value: [{ value: "u4" }] },
      { op: "remove", path: "members" },
      { op: "add", value: { members: [{ value: "u5", display: "E" }] } },
      { op: "replace", path: "members", value: [] },
    ]);
    expect(memberChanges).toEqual([
      { kind: "add", ids: ["u1", "u2"] },
      { kind: "remove", ids: ["u1", "u3"] },
      { kind: "replace", ids: ["u4"] },
      { kind: "removeAll" },
      { kind: "add", ids: ["u5"] },
      { kind: "removeAll" },
    ]);
    expect(resource).toEqual(group);
  });

  it("renames through a no-path replace that also carries members", () => {
    const { resource, memberChanges } = patchGroup([{ op: "replace", value: { displayName: "Eng", members: [{ value: "u1" }] } }]);
    expect(resource.displayName).toBe("Eng");
    expect(memberChanges).toEqual([{ kind: "replace", ids: ["u1"] }]);
  });

  it.each([
    ["an empty member id", [{ op: "add", path: "members", value: [{ value: "" }] }], "invalidValue"],
    ["a member without value", [{ op: "add", path: "members", value: [{ display: "x" }] }], "invalidValue"],
    ["a non-string member id", [{ op: "remove", path: "members", value: [{ value: 7 }] }], "invalidValue"],
    ["a member filter on another sub-attribute", [{ op: "remove", path: 'members[display eq "x"]' }], "invalidFilter"],
    ["replace through a member filter", [{ op: "replace", path: 'members[value eq "a"]', value: [{ value: "b" }] }], "invalidPath"],
    ["a member sub-attribute path", [{ op: "add", path: "members.value", value: "u1" }], "invalidPath"],
    ["removing displayName", [{ op: "remove", path: "displayName" }], "invalidValue"],
    ["a user attribute on a group", [{ op: "add", path: "userName", value: "x" }], "invalidPath"],
  ])("400 for %s", (_name, operations, scimType) => {
    expectScimError(() => patchGroup(operations as PatchOperation[]), 400, scimType);
  });
});

describe("errors", () => {
  it.each([
    ["an unknown attribute", { op: "replace", path: "companyName", value: "x" }, "invalidPath"],
    ["an unknown sub-attribute", { op: "replace", path: "name.nick", value: "x" }, "invalidPath"],
    ["a filter on a single-valued attribute", { op: "replace", path: 'name[givenName eq "x"]', value: "x" }, "invalidPath"],
    ["a filter on an unknown sub-attribute", { op: "replace", path: 'emails[kind eq "x"].value', value: "x" }, "invalidPath"],
    ["an unclosed filter", { op: "replace", path: 'emails[type eq "work".value', value: "x" }, "invalidPath"],
    ["a filter without a value", { op: "replace", path: "emails[type eq].value", value: "x" }, "invalidPath"],
    ["an unknown filter operator", { op: "replace", path: 'emails[type is "work"].value', value: "x" }, "invalidPath"],
    ["text after a filter", { op: "replace", path: 'emails[type eq "work"]value', value: "x" }, "invalidPath"],
    ["two sub-attributes", { op: "replace", path: "name.givenName.x", value: "x" }, "invalidPath"],
    ["a name starting with a digit", { op: "replace", path: "1name", value: "x" }, "invalidPath"],
    ["an empty sub-attribute", { op: "replace", path: "name.", value: "x" }, "invalidPath"],
    ["removing the core schema", { op: "remove", path: USER_SCHEMA }, "invalidPath"],
    ["a string for the core schema", { op: "replace", path: USER_SCHEMA, value: "x" }, "invalidPath"],
    ["a malformed URN", { op: "replace", path: "urn:bad urn:x", value: "x" }, "invalidPath"],
    ["id", { op: "replace", path: "id", value: "x" }, "mutability"],
    ["meta", { op: "remove", path: "meta" }, "mutability"],
    ["meta.created", { op: "replace", path: "meta.created", value: "2020-01-01T00:00:00Z" }, "mutability"],
    ["groups on a user", { op: "add", path: "groups", value: [{ value: "g1" }] }, "mutability"],
    ["the manager's read-only displayName", { op: "replace", path: `${ENT}:manager.displayName`, value: "x" }, "mutability"],
    ["removing userName", { op: "remove", path: "userName" }, "invalidValue"],
    ['userName set to ""', { op: "replace", path: "userName", value: "" }, "invalidValue"],
    ["a number for a string", { op: "replace", path: "displayName", value: 5 }, "invalidValue"],
    ["a non-boolean for active", { op: "replace", path: "active", value: "yes" }, "invalidValue"],
    ["an unknown sub-attribute in a value", { op: "add", path: "emails", value: [{ value: "x", label: "y" }] }, "invalidValue"],
    ["an array for a complex attribute", { op: "replace", path: "name", value: [{ givenName: "a" }, { givenName: "b" }] }, "invalidValue"],
    ["a string for an extension object", { op: "replace", path: ENT, value: "x" }, "invalidValue"],
    ["remove through a filter matching nothing", { op: "remove", path: 'emails[type eq "home"]' }, "noTarget"],
    ["remove of a sub-attribute through a filter matching nothing", { op: "remove", path: 'emails[type eq "home"].value' }, "noTarget"],
    ["add through an or-filter matching nothing", { op: "add", path: 'emails[type eq "a" or type eq "b"].value', value: "x" }, "noTarget"],
  ])("400 for %s", (_name, operation, scimType) => {
    expectScimError(() => patchUser([operation as PatchOperation]), 400, scimType);
  });

  it("is atomic: a failing operation leaves nothing applied and the input untouched", () => {
    const input = structuredClone(user);
    expectScimError(
      () =>
        patchUser(
          [
            { op: "replace", path: "displayName", value: "changed" },
            { op: "remove", path: 'emails[type eq "home"]' },
          ],
          input,
        ),
      400,
      "noTarget",
    );
    expect(input).toEqual(user);
  });

  it("never mutates its input, even when every operation applies", () => {
    const input = deepFreeze(structuredClone({ ...user, [ENT]: { department: "D" } }));
    const before = structuredClone(input);
    const resource = patchUser(
      [
        { op: "replace", path: 'emails[type eq "work"].value', value: "x@y" },
        { op: "remove", path: `${ENT}:department` },
        { op: "replace", path: "name.givenName", value: "Z" },
      ],
      input,
    );
    expect(input).toEqual(before);
    expect(resource).not.toBe(input);
  });
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

describe("large values", () => {
  it("appends thousands of distinct values in linear time and de-duplicates whatever the key order", () => {
    const custom = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";
    const values = Array.from({ length: 1000 }, (_, i) => ({ a: i, b: "x" }));
    const started = performance.now();
    let resource = patchUser([{ op: "add", path: `${custom}:items`, value: values }]);
    for (let i = 0; i < 20; i++)
      resource = patchUser([{ op: "add", path: `${custom}:items`, value: values.map(({ a, b }) => ({ b, a })) }], resource);
    expect((resource[custom] as { items: unknown[] }).items).toHaveLength(1000);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("400 invalidValue for more than 1000 values in one operation", () => {
    const values = Array.from({ length: 1001 }, (_, i) => ({ value: `e${i}@x` }));
    expectScimError(() => patchUser([{ op: "add", path: "emails", value: values }]), 400, "invalidValue");
  });
});
