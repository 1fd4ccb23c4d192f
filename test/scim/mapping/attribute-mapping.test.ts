import { describe, expect, it } from "vitest";
import { ScimError } from "../../../src/scim/errors.js";
import { coerceValues } from "../../../src/scim/mapping/attribute-coercion.js";
import { type MappedAttribute, mapAttributes, sameAttributes } from "../../../src/scim/mapping/attribute-mapping.js";
import { parseMappingPath } from "../../../src/scim/mapping/mapping-path.js";
import { valuesAtPath } from "../../../src/scim/mapping/path-values.js";
import { scimPathsOf } from "../../../src/scim/mapping/seen-paths.js";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const CUSTOM = "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User";

const user = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE, CUSTOM],
  userName: "ada@acme.example",
  name: { givenName: "Ada", familyName: "Lovelace" },
  title: "Engineer",
  active: "True",
  emails: [
    { type: "home", value: "ada@home.example" },
    { type: "work", value: "ada@acme.example", primary: true },
  ],
  phoneNumbers: [
    { type: "work", value: "555-0100" },
    { type: "mobile", value: "555-0101" },
  ],
  [ENTERPRISE]: { employeeNumber: "1024", department: "R&D", manager: { value: "m-1" } },
  [CUSTOM]: { costCenter: "4200", startDate: "2024-03-01", badges: ["gold", "early"], onCall: "false" },
};

function valuesAt(path: string): unknown[] {
  return valuesAtPath(user, parseMappingPath(path));
}

function pathError(path: string): string {
  try {
    parseMappingPath(path);
  } catch (err) {
    expect(err).toBeInstanceOf(ScimError);
    return (err as ScimError).detail;
  }
  throw new Error(`${path} parsed`);
}

describe("mapping paths", () => {
  it("reads core, value-filtered, enterprise and custom-extension paths, in any case", () => {
    expect(valuesAt("name.givenName")).toEqual(["Ada"]);
    expect(valuesAt("NAME.GIVENNAME")).toEqual(["Ada"]);
    expect(valuesAt('emails[type eq "work"].value')).toEqual(["ada@acme.example"]);
    expect(valuesAt('emails[TYPE eq "WORK"].value')).toEqual(["ada@acme.example"]);
    expect(valuesAt("emails.value")).toEqual(["ada@home.example", "ada@acme.example"]);
    expect(valuesAt(`${ENTERPRISE}:employeeNumber`)).toEqual(["1024"]);
    expect(valuesAt(`${ENTERPRISE.toLowerCase()}:EMPLOYEENUMBER`)).toEqual(["1024"]);
    expect(valuesAt(`${ENTERPRISE}:manager.value`)).toEqual(["m-1"]);
    expect(valuesAt(`${ENTERPRISE}:manager`)).toEqual(["m-1"]);
    expect(valuesAt(`${CUSTOM}:costCenter`)).toEqual(["4200"]);
    expect(valuesAt(`${CUSTOM}:badges`)).toEqual(["gold", "early"]);
    expect(valuesAt('phoneNumbers[type eq "fax"].value')).toEqual([]);
    expect(valuesAt("nickName")).toEqual([]);
  });

  it("refuses paths that cannot name a value, saying why", () => {
    expect(pathError("nosuch")).toBe('"nosuch" is not an attribute of User');
    expect(pathError("name")).toBe('"name": name is complex; name one of its sub-attributes, e.g. name.formatted');
    expect(pathError("name.nosuch")).toBe('"name.nosuch": name has no sub-attribute "nosuch"');
    expect(pathError('emails[type eq "work"')).toBe('value filter is missing its closing "]"');
    expect(pathError('title[type eq "x"]')).toBe('"title[type eq "x"]": title is not multi-valued');
    expect(pathError(ENTERPRISE)).toBe(`"${ENTERPRISE}" names a whole schema, not an attribute`);
    expect(pathError("password")).toBe('"password": password is never stored');
    expect(pathError("a.b.c")).toBe('"a.b.c" has more than one sub-attribute');
    expect(pathError("")).toBe("path is empty");
  });
});

describe("coercion to the declared type", () => {
  it("converts what IdPs send as strings", () => {
    expect(coerceValues("number", ["1024"])).toEqual({ ok: true, value: 1024 });
    expect(coerceValues("number", [" -3.5e2 "])).toEqual({ ok: true, value: -350 });
    expect(coerceValues("number", [7])).toEqual({ ok: true, value: 7 });
    expect(coerceValues("boolean", ["False"])).toEqual({ ok: true, value: false });
    expect(coerceValues("boolean", [true])).toEqual({ ok: true, value: true });
    expect(coerceValues("date", ["2024-03-01"])).toEqual({ ok: true, value: "2024-03-01T00:00:00.000Z" });
    expect(coerceValues("date", ["2024-03-01T10:00:00+02:00"])).toEqual({ ok: true, value: "2024-03-01T08:00:00.000Z" });
    expect(coerceValues("date", ["1 March 2024 10:00 UTC"])).toEqual({ ok: true, value: "2024-03-01T10:00:00.000Z" });
    expect(coerceValues("string", [42])).toEqual({ ok: true, value: "42" });
    expect(coerceValues("string", ["a", "b"])).toEqual({ ok: true, value: "a" });
    expect(coerceValues("string[]", ["a", 2])).toEqual({ ok: true, value: ["a", "2"] });
    expect(coerceValues("number", [])).toEqual({ ok: true, value: null });
  });

  it("reports what does not convert", () => {
    expect(coerceValues("number", ["abc"])).toEqual({ ok: false, bad: "abc" });
    expect(coerceValues("number", ["12abc"])).toEqual({ ok: false, bad: "12abc" });
    expect(coerceValues("boolean", ["yes"])).toEqual({ ok: false, bad: "yes" });
    expect(coerceValues("date", ["1"])).toEqual({ ok: false, bad: "1" });
    expect(coerceValues("date", ["2024-13-45"])).toEqual({ ok: false, bad: "2024-13-45" });
    expect(coerceValues("string", [{ a: 1 }])).toEqual({ ok: false, bad: { a: 1 } });
    expect(coerceValues("string[]", ["a", { b: 1 }])).toEqual({ ok: false, bad: { b: 1 } });
  });
});

describe("mapAttributes", () => {
  const mapping: MappedAttribute[] = [
    { name: "employeeNumber", type: "number", required: true, path: parseMappingPath(`${ENTERPRISE}:employeeNumber`) },
    { name: "costCenter", type: "number", required: false, path: parseMappingPath(`${CUSTOM}:costCenter`) },
    { name: "startDate", type: "date", required: false, path: parseMappingPath(`${CUSTOM}:startDate`) },
    { name: "onCall", type: "boolean", required: false, path: parseMappingPath(`${CUSTOM}:onCall`) },
    { name: "badges", type: "string[]", required: false, path: parseMappingPath(`${CUSTOM}:badges`) },
    { name: "department", type: "number", required: false, path: parseMappingPath(`${ENTERPRISE}:department`) },
    { name: "phone", type: "string", required: true, path: parseMappingPath('phoneNumbers[type eq "fax"].value') },
    { name: "unmapped", type: "string", required: false },
  ];

  it("types each declared attribute and reports mismatches and missing required values", () => {
    expect(mapAttributes(user, mapping)).toEqual({
      attributes: {
        employeeNumber: 1024,
        costCenter: 4200,
        startDate: "2024-03-01T00:00:00.000Z",
        onCall: false,
        badges: ["gold", "early"],
        department: null,
        phone: null,
        unmapped: null,
      },
      warnings: [
        { attribute: "department", kind: "type_mismatch", scimPath: `${ENTERPRISE}:department`, expectedType: "number", example: "R&D" },
        {
          attribute: "phone",
          kind: "required_missing",
          scimPath: 'phoneNumbers[type eq "fax"].value',
          expectedType: "string",
          example: null,
        },
      ],
    });
  });

  it("truncates the example of a bad value", () => {
    const long = { ...user, [ENTERPRISE]: { department: "x".repeat(500) } };
    const { warnings } = mapAttributes(long, mapping.slice(5, 6));
    expect(warnings[0]!.example).toBe(`${"x".repeat(100)}…`);
  });

  it("compares attributes with absent keys as null", () => {
    expect(sameAttributes({ a: null }, {})).toBe(true);
    expect(sameAttributes({ a: ["x"] }, { a: ["x"] })).toBe(true);
    expect(sameAttributes({ a: 1 }, { a: "1" })).toBe(false);
  });
});

describe("scimPathsOf", () => {
  it("lists core, filtered multi-valued, enterprise and custom paths with their values", () => {
    const paths = Object.fromEntries(scimPathsOf(user));
    expect(paths).toMatchObject({
      userName: ["ada@acme.example"],
      "name.givenName": ["Ada"],
      'emails[type eq "work"].value': ["ada@acme.example"],
      'emails[type eq "home"].value': ["ada@home.example"],
      'phoneNumbers[type eq "mobile"].value': ["555-0101"],
      [`${ENTERPRISE}:employeeNumber`]: ["1024"],
      [`${ENTERPRISE}:manager.value`]: ["m-1"],
      [`${CUSTOM}:costCenter`]: ["4200"],
      [`${CUSTOM}:badges`]: ["gold", "early"],
    });
    expect(paths).not.toHaveProperty("schemas");
    // every listed path is one a mapping accepts
    for (const path of Object.keys(paths)) expect(() => parseMappingPath(path)).not.toThrow();
  });
});
