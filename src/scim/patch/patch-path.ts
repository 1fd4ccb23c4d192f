import { invalidPath } from "../errors.js";
import { isForbiddenKey } from "./safe-object.js";
import { parseValueFilter, type ValueFilter } from "./value-filter.js";

// RFC 7644 §3.5.2 PATH syntax: [URN ":"] attribute ["." subAttribute] or
// [URN ":"] attribute "[" valueFilter "]" ["." subAttribute]. Only syntax here; schema lookup is elsewhere.

export interface PatchPath {
  /** Schema URN exactly as written, when the path is URN-qualified. */
  urn?: string;
  /** Attribute name as written; undefined when the path is only an extension URN. */
  attribute?: string;
  filter?: ValueFilter;
  subAttribute?: string;
}

const MAX_PATH_LENGTH = 1024;
const ATTRIBUTE_NAME = /^(\$ref|[A-Za-z][A-Za-z0-9_-]*)$/;
const URN = /^urn:[A-Za-z0-9][A-Za-z0-9._:-]*$/i;

/**
 * @param containerName the resource type ("User"): an unknown URN ending in it names a whole extension
 *   (`urn:acme:2.0:User`) rather than an attribute inside one (`urn:acme:2.0:User:badge`).
 * @param knownSchemas schema URNs the resource type defines; a path equal to one names that schema.
 */
export function parsePatchPath(raw: string, containerName: string, knownSchemas: string[]): PatchPath {
  const path = raw.trim();
  if (path.length === 0) throw invalidPath("path is empty");
  if (path.length > MAX_PATH_LENGTH) throw invalidPath(`path is longer than ${MAX_PATH_LENGTH} characters`);
  const bracket = path.indexOf("[");
  const head = bracket === -1 ? path : path.slice(0, bracket);

  let urn: string | undefined;
  let attributePart = head;
  if (head.toLowerCase().startsWith("urn:")) {
    const known = knownSchemas.find((s) => head.toLowerCase() === s.toLowerCase());
    const lastColon = head.lastIndexOf(":");
    const lastSegment = head.slice(lastColon + 1);
    if (bracket === -1 && (known || lastSegment.toLowerCase() === containerName.toLowerCase())) {
      if (!URN.test(head)) throw invalidPath(`"${raw}" is not a valid schema URN`);
      return { urn: head };
    }
    urn = head.slice(0, lastColon);
    attributePart = lastSegment;
    if (!URN.test(urn)) throw invalidPath(`"${raw}" is not a valid schema URN`);
  }

  let attribute: string;
  let subAttribute: string | undefined;
  let filter: ValueFilter | undefined;
  if (bracket === -1) {
    const parts = attributePart.split(".");
    if (parts.length > 2) throw invalidPath(`"${raw}" has more than one sub-attribute`);
    [attribute, subAttribute] = parts as [string, string | undefined];
  } else {
    attribute = attributePart;
    const parsed = parseValueFilter(path, bracket + 1);
    filter = parsed.filter;
    const rest = path.slice(parsed.end);
    if (rest.length > 0) {
      if (!rest.startsWith(".")) throw invalidPath(`unexpected text after the value filter in "${raw}"`);
      subAttribute = rest.slice(1);
    }
  }
  checkName(attribute, raw);
  if (subAttribute !== undefined) checkName(subAttribute, raw);
  return { urn, attribute, filter, subAttribute };
}

function checkName(name: string, raw: string): void {
  if (!ATTRIBUTE_NAME.test(name)) throw invalidPath(`"${raw}" is not a valid attribute path`);
  if (isForbiddenKey(name)) throw invalidPath(`"${name}" is not an allowed attribute name`);
}
