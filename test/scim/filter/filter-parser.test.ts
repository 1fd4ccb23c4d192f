import { describe, expect, it } from "vitest";
import { ScimError } from "../../../src/scim/errors.js";
import { MAX_FILTER_BYTES, MAX_FILTER_DEPTH, parseScimFilter } from "../../../src/scim/filter/index.js";

const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

function parseError(text: string): ScimError {
  try {
    parseScimFilter(text);
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe("parseScimFilter: valid filters", () => {
  it("parses a comparison with case-insensitive operator", () => {
    expect(parseScimFilter('userName EQ "bjensen"')).toEqual({
      type: "compare",
      attribute: { name: "userName" },
      operator: "eq",
      value: "bjensen",
    });
  });

  it("parses every comparison operator and pr", () => {
    for (const op of ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]) {
      expect(parseScimFilter(`title ${op} "x"`)).toMatchObject({ type: "compare", operator: op });
    }
    expect(parseScimFilter("title Pr")).toEqual({ type: "present", attribute: { name: "title" } });
  });

  it("parses literals: JSON strings with escapes, numbers, booleans, null", () => {
    const value = (f: string) => (parseScimFilter(f) as { value: unknown }).value;
    expect(value('a eq "say \\"hi\\"\\n\\u00e9\\\\"')).toBe('say "hi"\né\\');
    expect(value("a eq -12.5e2")).toBe(-1250);
    expect(value("a eq 0")).toBe(0);
    expect(value("a eq True")).toBe(true);
    expect(value("a eq false")).toBe(false);
    expect(value("a eq NULL")).toBeNull();
  });

  it("gives and precedence over or, and honours parentheses", () => {
    expect(parseScimFilter('a eq "1" or b eq "2" and c eq "3"')).toEqual({
      type: "or",
      filters: [
        { type: "compare", attribute: { name: "a" }, operator: "eq", value: "1" },
        {
          type: "and",
          filters: [
            { type: "compare", attribute: { name: "b" }, operator: "eq", value: "2" },
            { type: "compare", attribute: { name: "c" }, operator: "eq", value: "3" },
          ],
        },
      ],
    });
    expect(parseScimFilter("(a pr or b pr) and c pr")).toMatchObject({ type: "and", filters: [{ type: "or" }, { type: "present" }] });
  });

  it("flattens chains of the same operator", () => {
    const node = parseScimFilter("a pr and (b pr and c pr) and d pr");
    expect(node).toMatchObject({ type: "and" });
    expect((node as { filters: unknown[] }).filters).toHaveLength(4);
  });

  it("parses not (...)", () => {
    expect(parseScimFilter('not (a eq "x")')).toEqual({
      type: "not",
      filter: { type: "compare", attribute: { name: "a" }, operator: "eq", value: "x" },
    });
  });

  it("parses sub-attributes and URN-qualified attributes", () => {
    expect(parseScimFilter('name.familyName co "O\'Malley"')).toMatchObject({ attribute: { name: "name", subAttribute: "familyName" } });
    expect(parseScimFilter(`${ENT}:employeeNumber eq "7"`)).toMatchObject({ attribute: { uri: ENT, name: "employeeNumber" } });
    expect(parseScimFilter(`${ENT}:manager.value eq "7"`)).toMatchObject({
      attribute: { uri: ENT, name: "manager", subAttribute: "value" },
    });
  });

  it("parses value paths", () => {
    expect(parseScimFilter('emails[type eq "work" and value co "@x.com"]')).toEqual({
      type: "valuePath",
      attribute: { name: "emails" },
      filter: {
        type: "and",
        filters: [
          { type: "compare", attribute: { name: "type" }, operator: "eq", value: "work" },
          { type: "compare", attribute: { name: "value" }, operator: "co", value: "@x.com" },
        ],
      },
    });
  });

  it("parses Entra's value path followed by a sub-attribute as one element's condition", () => {
    expect(parseScimFilter('emails[type eq "work"].value eq "a@x.com"')).toEqual({
      type: "valuePath",
      attribute: { name: "emails" },
      filter: {
        type: "and",
        filters: [
          { type: "compare", attribute: { name: "type" }, operator: "eq", value: "work" },
          { type: "compare", attribute: { name: "value" }, operator: "eq", value: "a@x.com" },
        ],
      },
    });
    expect(parseScimFilter('emails[type eq "work"].value pr and active eq true')).toMatchObject({
      type: "and",
      filters: [{ type: "valuePath" }, { type: "compare" }],
    });
  });

  it("accepts a filter of exactly the size and depth limits", () => {
    const long = `userName eq "${"x".repeat(MAX_FILTER_BYTES - 14)}"`;
    expect(Buffer.byteLength(long)).toBe(MAX_FILTER_BYTES);
    expect(parseScimFilter(long)).toMatchObject({ type: "compare" });
    const deep = `${"(".repeat(MAX_FILTER_DEPTH)}a pr${")".repeat(MAX_FILTER_DEPTH)}`;
    expect(parseScimFilter(deep)).toEqual({ type: "present", attribute: { name: "a" } });
  });
});

describe("parseScimFilter: malformed filters are 400 invalidFilter", () => {
  it.each([
    ["", /empty/],
    ["   ", /empty/],
    ["userName eq", /expected a value .* after "eq"; got the end of the filter/],
    ['userName eqq "x"', /"eqq" at position 10; expected an operator/],
    ["userName eq bjensen", /got "bjensen" at position 13/],
    ['userName eq "unterminated', /Unterminated string starting at position 13/],
    ['userName eq "bad \\q escape"', /Invalid string literal at position 13/],
    ['(userName eq "x"', /Expected "\)" to close "\(" at position 1; got the end of the filter/],
    ['userName eq "x")', /Unexpected "\)" at position 16/],
    ['emails[type eq "work"', /Expected "]" to close "\["/],
    ['emails[type eq "work"] eq "x"', /Unexpected "eq" at position 24; expected "and", "or" or the end/],
    ['emails[type eq "work"] .value eq "x"', /Unexpected ".value"/],
    ['userName eq "x" and', /expected an attribute name/],
    ['userName eq "x" userName eq "y"', /expected "and", "or" or the end/],
    ['not userName eq "x"', /Expected "\(" after "not"/],
    ['userName eq "x" & active eq true', /Unexpected character "&" at position 17/],
    ['emails[type[value eq "x"] eq "y"]', /cannot be nested|only a sub-attribute/],
    ['emails[name.givenName eq "x"]', /only a sub-attribute name/],
    ['a.b.c eq "x"', /Invalid attribute path "a.b.c"/],
    ['1abc eq "x"', /Invalid attribute path/],
    ['__proto__ eq "x"', /Invalid attribute path|not allowed/],
    ['constructor eq "x"', /not allowed/],
    ["name.constructor pr", /not allowed/],
    ['urn:x eq "y"', /Invalid schema URN/],
    ["a eq 01", /expected a value/],
    ["a eq 1e999", /expected a value/],
    ['a eq {"x":1}', /Unexpected character "\{"/],
  ])("%j", (text, detail) => {
    const error = parseError(text);
    expect(error.status).toBe(400);
    expect(error.scimType).toBe("invalidFilter");
    expect(error.detail).toMatch(detail);
  });

  it("rejects a repeated filter parameter (an array from the query string)", () => {
    const error = parseError(["a pr", "b pr"] as unknown as string);
    expect(error).toMatchObject({ status: 400, scimType: "invalidFilter", detail: "Filter must be given once, as a single string" });
  });

  it("rejects a filter over 10 KB", () => {
    const error = parseError(`userName eq "${"x".repeat(MAX_FILTER_BYTES)}"`);
    expect(error).toMatchObject({ status: 400, scimType: "invalidFilter" });
    expect(error.detail).toMatch(/longer than 10240 bytes/);
  });

  it("rejects nesting deeper than 50 without overflowing the stack", () => {
    for (const text of [
      `${"(".repeat(MAX_FILTER_DEPTH + 1)}a pr${")".repeat(MAX_FILTER_DEPTH + 1)}`,
      `${"not (".repeat(30)}a pr${")".repeat(30)}`,
      "(".repeat(5000),
    ]) {
      const error = parseError(text);
      expect(error).toMatchObject({ status: 400, scimType: "invalidFilter" });
      expect(error.detail).toMatch(/nested more than 50 levels/);
    }
  });

  it("handles hostile long input quickly", () => {
    const started = performance.now();
    for (const text of ['"'.repeat(10_000), "\\".repeat(10_000), `a eq "${"\\".repeat(9_000)}`, "a pr or ".repeat(1_250)]) {
      expect(() => parseScimFilter(text)).toThrow(ScimError);
    }
    const many = Array.from({ length: 600 }, (_, i) => `a eq "${i}"`).join(" or ");
    expect((parseScimFilter(many) as { filters: unknown[] }).filters).toHaveLength(600);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
