import { describe, expect, it } from "vitest";
import { toAppGroup } from "../../../src/groups/app-group.js";
import { ScimError } from "../../../src/scim/errors.js";
import { checkIfMatch, etagOf } from "../../../src/scim/resource/etag.js";
import { clampPage, totalFromPage } from "../../../src/scim/resource/list-query.js";
import { parseAttributeList, projectionIncludes, projectResource } from "../../../src/scim/resource/projection.js";
import { parseGroupBody, parseUserBody } from "../../../src/scim/resource/resource-body.js";
import { promoteUserColumns } from "../../../src/scim/resource/user-attributes.js";
import { toAppUser } from "../../../src/users/app-user.js";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

function scimError(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw e;
  }
  throw new Error("expected a ScimError");
}

describe("ETag and If-Match", () => {
  it("formats weak ETags and accepts current, starred or listed versions", () => {
    expect(etagOf(3)).toBe('W/"3"');
    expect(() => checkIfMatch(undefined, 3)).not.toThrow();
    expect(() => checkIfMatch('W/"3"', 3)).not.toThrow();
    expect(() => checkIfMatch('"3"', 3)).not.toThrow();
    expect(() => checkIfMatch("*", 3)).not.toThrow();
    expect(() => checkIfMatch('W/"1", W/"3"', 3)).not.toThrow();
    expect(scimError(() => checkIfMatch('W/"2"', 3)).status).toBe(412);
  });
});

describe("pagination", () => {
  it.each([
    [undefined, undefined, { startIndex: 1, count: 100 }],
    [0, 5, { startIndex: 1, count: 5 }],
    [-3, -1, { startIndex: 1, count: 0 }],
    ["4", "500", { startIndex: 4, count: 100 }],
    ["x", "y", { startIndex: 1, count: 100 }],
  ])("startIndex %s count %s → %o", (start, count, expected) => {
    expect(clampPage(start, count, 100)).toEqual(expected);
  });

  it("derives totalResults from a short page only when the page proves it", () => {
    expect(totalFromPage({ startIndex: 1, count: 10 }, 0)).toBe(0);
    expect(totalFromPage({ startIndex: 1, count: 10 }, 3)).toBe(3);
    expect(totalFromPage({ startIndex: 11, count: 10 }, 4)).toBe(14);
    expect(totalFromPage({ startIndex: 11, count: 10 }, 0)).toBeUndefined();
    expect(totalFromPage({ startIndex: 1, count: 10 }, 10)).toBeUndefined();
  });
});

describe("projection", () => {
  const user = {
    schemas: [USER, ENTERPRISE],
    id: "1",
    userName: "a@x.com",
    name: { givenName: "A", familyName: "B" },
    emails: [{ type: "work", value: "a@x.com", primary: true }],
    [ENTERPRISE]: { department: "R&D", manager: { value: "2" } },
    meta: { resourceType: "User" },
  };

  it("parses both list forms", () => {
    expect(parseAttributeList("userName, name.givenName")).toEqual(["userName", "name.givenName"]);
    expect(parseAttributeList(["emails"])).toEqual(["emails"]);
    expect(parseAttributeList("")).toBeUndefined();
  });

  it("selects attributes, sub-attributes and URN-qualified extension attributes, any case", () => {
    expect(projectResource("User", user, { attributes: ["USERNAME", "name.familyName", `${ENTERPRISE}:department`] })).toEqual({
      schemas: user.schemas,
      id: "1",
      userName: "a@x.com",
      name: { familyName: "B" },
      [ENTERPRISE]: { department: "R&D" },
    });
    expect(projectResource("User", user, { attributes: ["emails.value", "emails.type"] })).toMatchObject({
      emails: [{ value: "a@x.com", type: "work" }],
    });
  });

  it("excludes attributes but never id or schemas", () => {
    const out = projectResource("User", user, {
      excludedAttributes: ["emails", "id", "schemas", `${ENTERPRISE}:manager`, "name.givenName"],
    });
    expect(out).not.toHaveProperty("emails");
    expect(out.id).toBe("1");
    expect(out.schemas).toEqual(user.schemas);
    expect(out[ENTERPRISE]).toEqual({ department: "R&D" });
    expect(out.name).toEqual({ familyName: "B" });
    expect(user.name).toEqual({ givenName: "A", familyName: "B" });
  });

  it("tells whether members/groups must be read", () => {
    expect(projectionIncludes("Group", {}, "members", true)).toBe(true);
    expect(projectionIncludes("Group", { excludedAttributes: ["members"] }, "members", true)).toBe(false);
    expect(projectionIncludes("Group", { excludedAttributes: ["members.display"] }, "members", true)).toBe(true);
    expect(projectionIncludes("Group", { attributes: ["displayName"] }, "members", true)).toBe(false);
    expect(projectionIncludes("Group", { attributes: ["members.value"] }, "members", true)).toBe(true);
    expect(projectionIncludes("User", {}, "groups", false)).toBe(false);
  });
});

describe("POST/PUT bodies", () => {
  it("keeps unknown attributes, drops id/meta/groups/password and nulls, normalises string booleans", () => {
    const stored = parseUserBody({
      schemas: [USER, "urn:custom"],
      id: "x",
      meta: {},
      groups: [],
      password: "p",
      userName: "u",
      active: "False",
      title: null,
      "urn:custom": { a: 1, b: null },
    });
    expect(stored).toEqual({ schemas: [USER, "urn:custom"], userName: "u", active: false, "urn:custom": { a: 1 } });
  });

  it("rejects what the schema forbids with precise scimTypes", () => {
    expect(scimError(() => parseUserBody("x")).scimType).toBe("invalidSyntax");
    expect(scimError(() => parseUserBody({ userName: "u" })).scimType).toBe("invalidSyntax");
    expect(scimError(() => parseUserBody({ schemas: [USER] })).scimType).toBe("invalidValue");
    expect(scimError(() => parseUserBody({ schemas: [USER], userName: "u", name: "A B" })).scimType).toBe("invalidValue");
    expect(scimError(() => parseUserBody({ schemas: [USER], userName: "u", [ENTERPRISE]: "x" })).scimType).toBe("invalidValue");
  });

  it("extracts group members and refuses nested groups and oversize lists", () => {
    const body = {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "G",
      members: [{ value: "a" }, { value: "a" }, { value: "b" }],
    };
    expect(parseGroupBody(body, 10)).toEqual({ resource: { schemas: body.schemas, displayName: "G" }, memberIds: ["a", "b"] });
    expect(parseGroupBody({ schemas: body.schemas, displayName: "G" }, 10).memberIds).toBeUndefined();
    expect(scimError(() => parseGroupBody({ ...body, members: [{ value: "g", type: "Group" }] }, 10)).scimType).toBe("invalidValue");
    expect(scimError(() => parseGroupBody(body, 2)).scimType).toBe("invalidValue");
  });
});

describe("promoted columns and the app-facing shapes", () => {
  const resource = {
    schemas: [USER, ENTERPRISE],
    userName: "Alice@Example.com",
    externalId: "ext-1",
    name: { givenName: "Alice", familyName: "Liddell" },
    displayName: "Alice L",
    title: "Queen",
    emails: [
      { type: "home", value: "alice@home.example", primary: true },
      { type: "work", value: "Alice@Work.example" },
    ],
    [ENTERPRISE]: { department: "Wonder", manager: { value: "m-1" } },
    "urn:custom:ext": { badge: 7 },
  };

  it("promotes lower(userName) and the work email (else primary, else first)", () => {
    expect(promoteUserColumns(resource)).toEqual({
      userName: "Alice@Example.com",
      userNameNorm: "alice@example.com",
      externalId: "ext-1",
      active: true,
      displayName: "Alice L",
      givenName: "Alice",
      familyName: "Liddell",
      email: "alice@work.example",
    });
    expect(promoteUserColumns({ userName: "u", emails: [{ value: "B@x" }, { value: "P@x", primary: true }] }).email).toBe("p@x");
    expect(promoteUserColumns({ userName: "u", emails: [{ value: "F@x" }] }).email).toBe("f@x");
    expect(promoteUserColumns({ userName: "u" }).email).toBeNull();
  });

  it("maps a user row to the app-facing User", () => {
    const cols = promoteUserColumns(resource);
    const at = new Date("2026-01-02T03:04:05.000Z");
    const app = toAppUser(
      { id: "u-1", directoryId: "d-1", ...cols, resource, createdAt: at, updatedAt: at },
      { groups: [{ id: "g-1", displayName: "G" }] },
    );
    expect(app).toEqual({
      id: "u-1",
      directoryId: "d-1",
      externalId: "ext-1",
      userName: "Alice@Example.com",
      email: "Alice@Work.example",
      givenName: "Alice",
      familyName: "Liddell",
      displayName: "Alice L",
      active: true,
      title: "Queen",
      department: "Wonder",
      manager: { id: "m-1" },
      groups: [{ id: "g-1", displayName: "G" }],
      attributes: {},
      customAttributes: { [ENTERPRISE]: resource[ENTERPRISE], "urn:custom:ext": { badge: 7 } },
      raw: resource,
      createdAt: "2026-01-02T03:04:05.000Z",
      updatedAt: "2026-01-02T03:04:05.000Z",
    });
    expect(
      toAppUser({
        id: "u",
        directoryId: "d",
        ...promoteUserColumns({ userName: "u" }),
        resource: { userName: "u" },
        createdAt: at,
        updatedAt: at,
      }),
    ).not.toHaveProperty("groups");
  });

  it("maps a group row to the app-facing Group", () => {
    const at = new Date("2026-01-02T03:04:05.000Z");
    expect(
      toAppGroup({
        id: "g",
        directoryId: "d",
        displayName: "G",
        externalId: null,
        memberCount: 2,
        resource: { displayName: "G" },
        createdAt: at,
        updatedAt: at,
      }),
    ).toEqual({
      id: "g",
      directoryId: "d",
      externalId: null,
      displayName: "G",
      memberCount: 2,
      raw: { displayName: "G" },
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
    });
  });
});
