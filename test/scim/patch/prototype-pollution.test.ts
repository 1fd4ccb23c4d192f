import { afterEach, describe, expect, it } from "vitest";
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from "../../../src/scim/schema/core-schemas.js";
import { ScimError } from "../../../src/scim/errors.js";
import { applyPatch, PATCH_OP_SCHEMA, parsePatchRequest, type ScimObject } from "../../../src/scim/patch/index.js";

// Crafted keys must never reach Object.prototype (the npm scim-patch package fell to exactly this).
// Bodies are built with JSON.parse, as the HTTP layer does, so "__proto__" is a real own key.

const custom = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";
const user: ScimObject = { schemas: [USER_SCHEMA], userName: "ada@example.com", emails: [{ type: "work", value: "a@x" }] };
const group: ScimObject = { schemas: [GROUP_SCHEMA], displayName: "G" };

const attempts: [string, string][] = [
  ["path __proto__", '{"op":"add","path":"__proto__","value":{"polluted":"yes"}}'],
  ["path __proto__.polluted", '{"op":"add","path":"__proto__.polluted","value":"yes"}'],
  ["path constructor.prototype", '{"op":"add","path":"constructor.prototype","value":{"polluted":"yes"}}'],
  ["path prototype", '{"op":"replace","path":"prototype","value":{"polluted":"yes"}}'],
  ["sub-attribute __proto__", '{"op":"add","path":"name.__proto__","value":{"polluted":"yes"}}'],
  ["filtered sub-attribute __proto__", '{"op":"add","path":"emails[type eq \\"work\\"].__proto__","value":{"polluted":"yes"}}'],
  ["filter attribute __proto__", '{"op":"add","path":"emails[__proto__ eq \\"x\\"].value","value":"yes"}'],
  ["filter attribute constructor", '{"op":"replace","path":"emails[constructor pr].value","value":"yes"}'],
  ["custom extension attribute __proto__", `{"op":"add","path":"${custom}:__proto__","value":{"polluted":"yes"}}`],
  ["custom extension attribute constructor", `{"op":"add","path":"${custom}:constructor.prototype","value":"yes"}`],
  ["no-path key __proto__", '{"op":"add","value":{"__proto__":{"polluted":"yes"}}}'],
  ["no-path key constructor", '{"op":"replace","value":{"constructor":{"prototype":{"polluted":"yes"}}}}'],
  ["no-path dotted key", '{"op":"replace","value":{"__proto__.polluted":"yes"}}'],
  ["extension object key", `{"op":"replace","value":{"${ENTERPRISE_USER_SCHEMA}":{"__proto__":{"polluted":"yes"}}}}`],
  ["custom extension value, nested", `{"op":"add","path":"${custom}:badge","value":{"a":{"__proto__":{"polluted":"yes"}}}}`],
  ["custom extension value in an array", `{"op":"add","path":"${custom}:tags","value":[{"__proto__":{"polluted":"yes"}}]}`],
  ["multi-valued element", '{"op":"add","path":"emails","value":[{"value":"b@x","__proto__":{"polluted":"yes"}}]}'],
  ["complex value", '{"op":"replace","path":"name","value":{"__proto__":{"polluted":"yes"}}}'],
  ["manager value", `{"op":"add","path":"${ENTERPRISE_USER_SCHEMA}:manager","value":{"constructor":{"prototype":{"polluted":"yes"}}}}`],
];

afterEach(() => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty("polluted");
});

describe("prototype pollution", () => {
  it.each(attempts)("%s is refused with 400 invalidPath or invalidValue", (_name, operation) => {
    const body = JSON.parse(`{"schemas":["${PATCH_OP_SCHEMA}"],"Operations":[${operation}]}`);
    let caught: unknown;
    try {
      applyPatch("User", user, parsePatchRequest(body, { maxOperations: 10, maxMembers: 10 }));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ScimError);
    expect((caught as ScimError).status).toBe(400);
    expect(["invalidPath", "invalidValue"]).toContain((caught as ScimError).scimType);
  });

  it("a member value carrying __proto__ is refused", () => {
    const operation = JSON.parse('{"op":"add","path":"members","value":[{"value":"u1","__proto__":{"polluted":"yes"}}]}');
    expect(() => applyPatch("Group", group, [operation])).toThrow(ScimError);
  });

  it("a stored resource is never given a prototype-bearing key", () => {
    const { resource } = applyPatch("User", user, [{ op: "add", path: `${custom}:badge`, value: { ok: true } }]);
    expect(Object.getPrototypeOf(resource[custom])).toBe(Object.prototype);
    expect(Object.keys(resource[custom] as object)).toEqual(["badge"]);
  });
});
