import { describe, expect, it } from "vitest";
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from "../../../src/scim/schema/core-schemas.js";
import { applyPatch, parsePatchRequest, type ScimObject } from "../../../src/scim/patch/index.js";
import { entraCompat, entraTutorial, polisAzure, polisGroups, polisUsers, stored, withPatchSchema } from "./idp-requests.js";
import { expectScimError } from "./scim-error-assertions.js";

// Every PATCH body Entra documents and every PATCH fixture from ory/polis, replayed against the engine.

const limits = { maxOperations: 100, maxMembers: 100 };

function patch(resourceType: "User" | "Group", resource: ScimObject, body: unknown) {
  return applyPatch(resourceType, resource, parsePatchRequest(body, limits));
}

describe("Entra tutorial examples", () => {
  const entraUser = stored(entraTutorial("Create User").request.body);
  const entraGroup = stored(entraTutorial("Create Group").request.body);

  it("Update User [Multi-valued properties]: replaces the work email through its filter and the family name", () => {
    const { resource } = patch("User", entraUser, entraTutorial("Update User [Multi-valued properties]").request.body);
    expect(resource.emails).toEqual([{ primary: true, type: "work", value: "updatedEmail@microsoft.com" }]);
    expect(resource.name).toEqual({ formatted: "givenName familyName", familyName: "updatedFamilyName", givenName: "givenName" });
  });

  it("Update User [Single-valued properties]: replaces userName", () => {
    const { resource } = patch("User", entraUser, entraTutorial("Update User [Single-valued properties]").request.body);
    expect(resource.userName).toBe("5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com");
  });

  it("Disable User: sets active to false", () => {
    const { resource } = patch("User", entraUser, entraTutorial("Disable User").request.body);
    expect(resource.active).toBe(false);
  });

  it("Update Group [Non-member attributes]: renames the group", () => {
    const { resource, memberChanges } = patch("Group", entraGroup, entraTutorial("Update Group [Non-member attributes]").request.body);
    expect(resource.displayName).toBe("1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName");
    expect(resource.externalId).toBe("8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159");
    expect(memberChanges).toEqual([]);
  });

  it("Update Group [Add Members] and [Remove Members]: member changes, resource untouched", () => {
    const added = patch("Group", entraGroup, entraTutorial("Update Group [Add Members]").request.body);
    expect(added.memberChanges).toEqual([{ kind: "add", ids: ["f648f8d5ea4e4cd38e9c"] }]);
    expect(added.resource).toEqual(entraGroup);
    const removed = patch("Group", entraGroup, entraTutorial("Update Group [Remove Members]").request.body);
    expect(removed.memberChanges).toEqual([{ kind: "remove", ids: ["f648f8d5ea4e4cd38e9c"] }]);
  });

  it('Example 5: the older manager form (path "manager", value [{$ref, value}]) sets the enterprise manager', () => {
    const { resource } = patch(
      "User",
      { schemas: [USER_SCHEMA], userName: "jyoung@testuser.com" },
      entraTutorial("Example 5: update a user (manager)").request.body,
    );
    expect(resource[ENTERPRISE_USER_SCHEMA]).toEqual({
      manager: { $ref: "http://.../scim/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee", value: "00aa00aa-bb11-cc22-dd33-44ee44ee44ee" },
    });
    expect(resource.schemas).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]);
  });
});

describe("Entra compatibility page, with and without the aadOptscim062020 flag", () => {
  const user = stored(entraTutorial("Create User").request.body);
  const group = stored(entraTutorial("Create Group").request.body);

  it.each(["without", "with"])('Disable user (%s the flag): "False" and false both disable', (variant) => {
    const { resource } = patch("User", user, entraCompat("Disable user")[variant]);
    expect(resource.active).toBe(false);
  });

  it.each(["without", "with"])("Add a single-value string attribute (%s the flag)", (variant) => {
    const { resource } = patch("User", user, entraCompat("Add a single-value string attribute")[variant]);
    expect(resource.nickName).toBe("Babs");
  });

  it("Replace multiple attributes, without the flag: one operation per path", () => {
    const { resource } = patch("User", user, entraCompat("Replace multiple attributes").without);
    expect(resource).toMatchObject({
      displayName: "Pvlo",
      emails: [{ primary: true, type: "work", value: "TestBcwqnm@test.microsoft.com" }],
      name: { givenName: "Gtfd", familyName: "Pkqf", formatted: "givenName familyName" },
      externalId: "Eqpj",
      [ENTERPRISE_USER_SCHEMA]: { employeeNumber: "Eqpj" },
    });
  });

  it("Replace multiple attributes, with the flag: a no-path value with dotted and URN-qualified keys", () => {
    const { resource } = patch("User", user, entraCompat("Replace multiple attributes").with);
    expect(resource).toMatchObject({
      displayName: "Bjfe",
      emails: [{ primary: true, type: "work", value: "TestMhvaes@test.microsoft.com" }],
      name: { givenName: "Kkom", familyName: "Unua", formatted: "givenName familyName" },
      [ENTERPRISE_USER_SCHEMA]: { employeeNumber: "Aklq" },
    });
    expect(resource.schemas).toContain(ENTERPRISE_USER_SCHEMA);
    expect(Object.keys(resource)).not.toContain("name.givenName");
  });

  it("Remove a group member: value list without the flag, value filter with it", () => {
    expect(patch("Group", group, entraCompat("Remove a group member").without).memberChanges).toEqual([{ kind: "remove", ids: ["u1091"] }]);
    expect(patch("Group", group, entraCompat("Remove a group member").with).memberChanges).toEqual([
      { kind: "remove", ids: ["7f4bc1a3-285e-48ae-8202-5accb43efb0e"] },
    ]);
  });
});

describe("ory/polis fixtures", () => {
  const user = stored(polisUsers.create.body);
  const group = stored(polisGroups.create.body);
  const body = (name: string) => withPatchSchema(polisUsers[name].body);
  const apply = (resource: ScimObject, name: string) => patch("User", resource, body(name)).resource;

  it("fixtures without the PatchOp schema are refused as RFC 7644 §3.5.2 requires", () => {
    expectScimError(() => parsePatchRequest(polisUsers.updateOperationById.body, limits), 400, "invalidSyntax");
  });

  it('updateOperationById (Okta): {"op":"replace","value":{"active":false}} disables', () => {
    expect(apply(user, "updateOperationById").active).toBe(false);
  });

  it("multiValuedProperties: sub-attribute paths plus a no-path replace", () => {
    const resource = apply(user, "multiValuedProperties");
    expect(resource.name).toEqual({ givenName: "David", familyName: "Jones", formatted: "Jackson M" });
    expect(resource.active).toBe(false);
  });

  it.each(["customAttributes", "removeCustomAttributes", "clearCustomAttributes"])(
    "%s: undeclared, unqualified attributes (companyName, address.streetAddress) are 400 invalidPath",
    (name) => {
      expectScimError(() => apply(user, name), 400, "invalidPath");
    },
  );

  it("entraPhoneAndAddress: filters that match nothing create the typed elements", () => {
    const resource = apply(user, "entraPhoneAndAddress");
    expect(resource.phoneNumbers).toEqual([
      { type: "work", value: "555-0100" },
      { type: "mobile", value: "555-0101" },
    ]);
    expect(resource.addresses).toEqual([
      { type: "work", streetAddress: "100 Enterprise Blvd", locality: "San Francisco", postalCode: "94105", country: "US" },
    ]);
  });

  it('entraClearFilterPathAttributes: "" through a filter clears the sub-attribute, dropping elements left with only a type', () => {
    const resource = apply(apply(user, "entraPhoneAndAddress"), "entraClearFilterPathAttributes");
    expect(resource.phoneNumbers).toEqual([{ type: "mobile", value: "555-0101" }]);
    expect(resource.addresses).toEqual([{ type: "work", locality: "San Francisco", postalCode: "94105", country: "US" }]);
  });

  it("entraClearFilterPathAttributes on a user without those values changes nothing", () => {
    expect(apply(user, "entraClearFilterPathAttributes")).toEqual(user);
  });

  it("removeStandardMappedAttributes: removes name sub-attributes, keeps the rest of name", () => {
    expect(apply(user, "removeStandardMappedAttributes").name).toEqual({ formatted: "Jackson M" });
  });

  it("removeTitle: removes the attribute", () => {
    const resource = apply(user, "removeTitle");
    expect(resource).not.toHaveProperty("title");
    expect(resource.displayName).toBe("Jackson M");
  });

  it("entraSetExtensionAttribute / entraClearExtensionAttribute: set then clear through the extension object", () => {
    const set = apply(user, "entraSetExtensionAttribute");
    expect(set[ENTERPRISE_USER_SCHEMA]).toEqual({ department: "Engineering", costCenter: "CC-1234" });
    expect(set.schemas).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]);
    const cleared = apply(set, "entraClearExtensionAttribute");
    expect(cleared).not.toHaveProperty(ENTERPRISE_USER_SCHEMA);
  });

  it("entraSetExtensionViaPath: URN-qualified path", () => {
    expect(apply(user, "entraSetExtensionViaPath")[ENTERPRISE_USER_SCHEMA]).toEqual({ department: "Engineering" });
  });

  it("entraClearMultiValuedAttribute: replace with [] removes the attribute", () => {
    const withPhones = apply(user, "entraPhoneAndAddress");
    expect(apply(withPhones, "entraClearMultiValuedAttribute")).not.toHaveProperty("phoneNumbers");
  });

  it('clearCustomAttributesViaObject: "" in a no-path value removes the attributes', () => {
    const resource = apply(user, "clearCustomAttributesViaObject");
    expect(resource).not.toHaveProperty("title");
    expect(resource).not.toHaveProperty("displayName");
  });

  it("entraSetExtensionMultiValued / entraRemoveExtensionFilterPath: undeclared extension attributes are kept as sent", () => {
    const set = apply(user, "entraSetExtensionMultiValued");
    expect(set[ENTERPRISE_USER_SCHEMA]).toEqual({
      roles: [
        { value: "admin-role-id", display: "Admin" },
        { value: "user-role-id", display: "User" },
      ],
    });
    const removed = apply(set, "entraRemoveExtensionFilterPath");
    expect(removed[ENTERPRISE_USER_SCHEMA]).toEqual({ roles: [{ value: "user-role-id", display: "User" }] });
  });

  it("arbitraryFilterPaths: ims and photos through filters", () => {
    const resource = apply(user, "arbitraryFilterPaths");
    expect(resource.ims).toEqual([{ type: "xmpp", value: "test@test.org" }]);
    expect(resource.photos).toEqual([{ type: "thumbnail", value: "https://example.com/photo.jpg" }]);
  });

  it("e2e Azure: updatedAzureUser_1 on azureUser_1", () => {
    const { resource } = patch("User", stored(polisAzure.azureUser_1), polisAzure.updatedAzureUser_1);
    expect(resource.name).toEqual({ formatted: "samuel-1 jackson-1", familyName: "jackson-1-updated", givenName: "samuel-1-updated" });
    expect(resource.emails).toEqual([{ primary: true, type: "work", value: "jackson-1-updated@example.com" }]);
  });

  it("group updateName: a no-path replace carrying the group's own id renames without storing the id", () => {
    const { resource, memberChanges } = patch("Group", group, polisGroups.updateName.body);
    expect(resource).toEqual({ schemas: group.schemas, displayName: "Developers-renamed" });
    expect(memberChanges).toEqual([]);
  });

  it("group addMembers / removeMembers", () => {
    expect(patch("Group", group, polisGroups.addMembers.body).memberChanges).toEqual([{ kind: "add", ids: ["{userId}"] }]);
    expect(patch("Group", group, polisGroups.removeMembers.body).memberChanges).toEqual([{ kind: "remove", ids: ["{userId}"] }]);
  });
});
