import { describe, expect, it } from "vitest";
import { PATCH_OP_SCHEMA, parsePatchRequest } from "../../../src/scim/patch/index.js";
import { expectScimError } from "./scim-error-assertions.js";

const limits = { maxOperations: 5, maxMembers: 3 };
const body = (operations: unknown, extra: Record<string, unknown> = {}) => ({
  schemas: [PATCH_OP_SCHEMA],
  Operations: operations,
  ...extra,
});

describe("parsePatchRequest", () => {
  it('normalises op in any case ("Add", "REPLACE", "remove") and accepts lowercase "operations"', () => {
    const operations = parsePatchRequest(
      {
        schemas: [PATCH_OP_SCHEMA],
        operations: [
          { op: "Add", path: "nickName", value: "Babs" },
          { op: "REPLACE", value: { active: false } },
          { op: "remove", path: "title" },
        ],
      },
      limits,
    );
    expect(operations).toEqual([
      { op: "add", path: "nickName", value: "Babs" },
      { op: "replace", value: { active: false } },
      { op: "remove", path: "title" },
    ]);
  });

  it("keeps the value of a remove (Entra removes members by value)", () => {
    expect(parsePatchRequest(body([{ op: "Remove", path: "members", value: [{ value: "u1" }] }]), limits)).toEqual([
      { op: "remove", path: "members", value: [{ value: "u1" }] },
    ]);
  });

  it("treats an empty path as no path", () => {
    expect(parsePatchRequest(body([{ op: "replace", path: "", value: { displayName: "x" } }]), limits)).toEqual([
      { op: "replace", value: { displayName: "x" } },
    ]);
  });

  it.each([
    ["a body that is not an object", [1, 2]],
    ["a missing schemas", { Operations: [{ op: "add", path: "nickName", value: "x" }] }],
    [
      "schemas without the PatchOp URN",
      { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], Operations: [{ op: "add", path: "nickName", value: "x" }] },
    ],
    ["missing Operations", { schemas: [PATCH_OP_SCHEMA] }],
    ["empty Operations", body([])],
    ["Operations that is not an array", body({ op: "add" })],
    ["an operation that is not an object", body(["add"])],
    ["an unknown op", body([{ op: "move", path: "nickName", value: "x" }])],
    ["a missing op", body([{ path: "nickName", value: "x" }])],
    ["a path that is not a string", body([{ op: "add", path: 5, value: "x" }])],
    ["add without value", body([{ op: "add", path: "nickName" }])],
    ["replace without value", body([{ op: "replace" }])],
  ])("400 invalidSyntax for %s", (_name, request) => {
    expectScimError(() => parsePatchRequest(request, limits), 400, "invalidSyntax");
  });

  it("400 noTarget for remove without a path (RFC 7644 §3.5.2.2)", () => {
    expectScimError(() => parsePatchRequest(body([{ op: "remove" }]), limits), 400, "noTarget");
  });

  it("400 invalidValue for a no-path add whose value is not an object", () => {
    expectScimError(() => parsePatchRequest(body([{ op: "add", value: "x" }]), limits), 400, "invalidValue");
  });

  it("400 invalidValue (not tooMany, which RFC 7644 keeps for filters) above maxOperations", () => {
    const operations = Array.from({ length: 6 }, () => ({ op: "add", path: "nickName", value: "x" }));
    const error = expectScimError(() => parsePatchRequest(body(operations), limits), 400, "invalidValue");
    expect(error.detail).toContain("at most 5 operations");
    expect(parsePatchRequest(body(operations.slice(1)), limits)).toHaveLength(5);
  });

  it("400 invalidValue when the member values of all operations together exceed maxMembers", () => {
    const members = (ids: string[]) => ids.map((value) => ({ value }));
    const request = body([
      { op: "Add", path: "members", value: members(["a", "b"]) },
      { op: "replace", value: { Members: members(["c", "d"]) } },
    ]);
    const error = expectScimError(() => parsePatchRequest(request, limits), 400, "invalidValue");
    expect(error.detail).toContain("at most 3 members");
    expect(parsePatchRequest(body([{ op: "Add", path: "members", value: members(["a", "b", "c"]) }]), limits)).toHaveLength(1);
  });
});
