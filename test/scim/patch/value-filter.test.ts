import { describe, expect, it } from "vitest";
import { elementFromFilter, matchesValueFilter, parseValueFilter } from "../../../src/scim/patch/value-filter.js";
import { expectScimError } from "./scim-error-assertions.js";

const parse = (path: string) => {
  const { filter, end } = parseValueFilter(path, path.indexOf("[") + 1);
  return { filter, rest: path.slice(end) };
};
const insensitive = (name: string) => ({ key: name, caseExact: false });
const matches = (filter: string, element: Record<string, unknown>, caseExact = false) =>
  matchesValueFilter(parse(`x[${filter}]`).filter, element, (name) => ({ key: name, caseExact }));

describe("value filters", () => {
  it("reads string literals with escapes, including ] and quotes, and returns what follows the filter", () => {
    const { filter, rest } = parse('emails[value eq "a\\"]b"].display');
    expect(filter).toEqual({ kind: "compare", attribute: "value", operator: "eq", value: 'a"]b' });
    expect(rest).toBe(".display");
  });

  it("compares case-insensitively unless the sub-attribute is caseExact", () => {
    expect(matches('value eq "ABC"', { value: "abc" })).toBe(true);
    expect(matches('value eq "ABC"', { value: "abc" }, true)).toBe(false);
  });

  it("orders numbers and strings with gt/ge/lt/le, and treats booleans and null", () => {
    expect(matches("n gt 2", { n: 3 })).toBe(true);
    expect(matches("n le 2", { n: 3 })).toBe(false);
    expect(matches('s lt "b"', { s: "A" })).toBe(true);
    expect(matches("primary eq true", { primary: true })).toBe(true);
    expect(matches("primary ne true", {})).toBe(true);
    expect(matches("display eq null", {})).toBe(true);
    expect(matches("display pr", { display: "" })).toBe(false);
  });

  it("and binds tighter than or", () => {
    const element = { type: "work", primary: false };
    expect(matches('type eq "home" and primary eq false or type eq "work"', element)).toBe(true);
    expect(matches('type eq "home" and (primary eq false or type eq "work")', element)).toBe(false);
  });

  it("describes the element an and-of-eq filter selects, and nothing for other filters", () => {
    expect(elementFromFilter(parse('x[type eq "work" and primary eq true]').filter)).toEqual({ type: "work", primary: true });
    expect(elementFromFilter(parse('x[type eq "a" or type eq "b"]').filter)).toBeUndefined();
    expect(elementFromFilter(parse('x[type ne "a"]').filter)).toBeUndefined();
    expect(matchesValueFilter(parse('x[type eq "work"]').filter, { Type: "WORK" }, insensitive)).toBe(true);
  });

  it.each([
    ['x[type eq "work"'],
    ['x[type eq "work]'],
    ["x[type eq]"],
    ["x[type]"],
    ['x[eq "a"]'],
    ['x[type eq "a" and]'],
    ['x[not type eq "a"]'],
    ['x[(type eq "a"]'],
    ['x[type eq "a")]'],
    ['x[type eq "\\x"]'],
    ["x[type eq work]"],
    [`x[${"(".repeat(40)}type pr${")".repeat(40)}]`],
  ])("400 invalidPath for %s", (path) => {
    expectScimError(() => parse(path), 400, "invalidPath");
  });
});
