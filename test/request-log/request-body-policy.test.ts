import { describe, expect, it } from "vitest";
import {
  loggedQuery,
  loggedRequestBody,
  MAX_LOGGED_BODY_BYTES,
  MAX_LOGGED_BODY_DEPTH,
  TOO_DEEP_MARK,
} from "../../src/request-log/request-body-policy.js";

describe("request body policy", () => {
  it("cuts long bodies to 4 KB on a character boundary and says so", () => {
    const body = { schemas: ["x"], externalId: "é".repeat(5000) };
    const text = loggedRequestBody(body, "full", "/Users")!;
    expect(Buffer.byteLength(text, "utf8")).toBeLessThanOrEqual(MAX_LOGGED_BODY_BYTES);
    expect(text.endsWith("…[truncated]")).toBe(true);
    expect(text).not.toContain("\uFFFD");
  });

  it("keeps a body nested 20,000 levels deep up to a depth marker instead of overflowing the stack", () => {
    let deep: unknown = { password: "deep-secret", leaf: true };
    for (let i = 0; i < 20_000; i++) deep = i % 2 ? { a: deep } : [deep];
    for (const policy of ["full", "redacted"] as const) {
      const text = loggedRequestBody({ schemas: ["x"], externalId: "e1", deep }, policy, "/Users")!;
      expect(text.startsWith('{"schemas":["x"],"externalId":"e1","deep":')).toBe(true);
      expect(text).toContain(JSON.stringify(TOO_DEEP_MARK));
      expect(text).not.toContain("deep-secret");
      // the kept value is whole JSON, as deep as the limit and no deeper
      let node: unknown = JSON.parse(text).deep;
      let levels = 1;
      while (node && typeof node === "object") {
        node = Array.isArray(node) ? node[0] : (node as { a: unknown }).a;
        levels++;
      }
      expect(node).toBe(TOO_DEEP_MARK);
      expect(levels).toBe(MAX_LOGGED_BODY_DEPTH);
    }
  });

  it("drops secrets at any depth, under every policy that keeps a body", () => {
    const body = {
      password: "p1",
      nested: { clientSecret: "s1", token: "t1", keep: 1 },
      Operations: [{ op: "replace", path: "password", value: "p2" }],
    };
    for (const policy of ["full", "redacted"] as const) {
      const text = loggedRequestBody(body, policy, "/Users")!;
      for (const secret of ["p1", "s1", "t1", "p2"]) expect(text).not.toContain(`"${secret}"`);
      expect(JSON.parse(text).nested).toEqual({ keep: 1 });
    }
    expect(loggedRequestBody(body, "none", "/Users")).toBeNull();
  });

  it("redacts URN-qualified and no-path PATCH values that hold personal data", () => {
    const body = {
      Operations: [
        { op: "Add", path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", value: "mgr-id" },
        {
          op: "replace",
          value: { "name.givenName": "Ada", active: false, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "R&D" },
        },
        { op: "Add", path: "members", value: [{ value: "user-id" }] },
      ],
    };
    const ops = JSON.parse(loggedRequestBody(body, "redacted", "/Users/1")!).Operations;
    expect(ops[0].value).toBe("[redacted]");
    expect(ops[1].value).toEqual({
      "name.givenName": "[redacted]",
      active: false,
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "R&D",
    });
    expect(ops[2].value).toEqual([{ value: "user-id" }]);
  });

  it("shows queries decoded, with filter values redacted unless the policy is full", () => {
    const raw = "filter=userName+eq+%22a%40b.c%22+and+active+eq+true&startIndex=1";
    expect(loggedQuery(raw, "redacted")).toBe('filter=userName eq "[redacted]" and active eq true&startIndex=1');
    expect(loggedQuery(raw, "full")).toBe('filter=userName eq "a@b.c" and active eq true&startIndex=1');
    expect(loggedQuery("", "full")).toBeNull();
  });
});
