import { invalidPath } from "../errors.js";
import { isForbiddenKey } from "./safe-object.js";

// The filter inside a PATCH value path (`emails[type eq "work"]`), RFC 7644 §3.4.2.2 restricted to
// sub-attributes, parsed and evaluated in memory against the elements of one multi-valued attribute.

export type CompareOperator = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";
export type FilterLiteral = string | number | boolean | null;

export type ValueFilter =
  | { kind: "compare"; attribute: string; operator: CompareOperator; value: FilterLiteral }
  | { kind: "present"; attribute: string }
  | { kind: "and" | "or"; left: ValueFilter; right: ValueFilter }
  | { kind: "not"; filter: ValueFilter };

const OPERATORS = new Set(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]);
const MAX_NESTING = 16;
const NAME = /^[A-Za-z$][A-Za-z0-9_$-]*$/;

type Token = { type: "word"; text: string } | { type: "string"; text: string } | { type: "(" } | { type: ")" } | { type: "]" };

/**
 * Parses the filter starting at `start` (just after "[") up to its closing "]".
 * Returns the filter and the index just after "]".
 */
export function parseValueFilter(source: string, start: number): { filter: ValueFilter; end: number } {
  const tokens: Token[] = [];
  let i = start;
  for (;;) {
    while (source[i] === " ") i++;
    const c = source[i];
    if (c === undefined) throw invalidPath('value filter is missing its closing "]"');
    if (c === "]") {
      tokens.push({ type: "]" });
      i++;
      break;
    }
    if (c === "(" || c === ")") {
      tokens.push({ type: c });
      i++;
    } else if (c === '"') {
      const close = findStringEnd(source, i);
      let text: unknown;
      try {
        text = JSON.parse(source.slice(i, close + 1));
      } catch {
        throw invalidPath("value filter has a malformed string literal");
      }
      tokens.push({ type: "string", text: text as string });
      i = close + 1;
    } else {
      let j = i;
      while (j < source.length && !' ()[]"'.includes(source[j]!)) j++;
      if (j === i) throw invalidPath(`unexpected "${c}" in value filter`);
      tokens.push({ type: "word", text: source.slice(i, j) });
      i = j;
    }
  }
  const parser = new FilterParser(tokens);
  const filter = parser.parseOr(0);
  parser.expectEnd();
  return { filter, end: i };
}

function findStringEnd(source: string, open: number): number {
  for (let i = open + 1; i < source.length; i++) {
    if (source[i] === "\\") i++;
    else if (source[i] === '"') return i;
  }
  throw invalidPath("value filter has an unterminated string");
}

class FilterParser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  parseOr(depth: number): ValueFilter {
    let left = this.parseAnd(depth);
    while (this.peekWord("or")) {
      this.position++;
      left = { kind: "or", left, right: this.parseAnd(depth) };
    }
    return left;
  }

  expectEnd(): void {
    if (this.tokens[this.position]?.type !== "]") throw invalidPath("value filter has trailing text");
  }

  private parseAnd(depth: number): ValueFilter {
    let left = this.parseUnary(depth);
    while (this.peekWord("and")) {
      this.position++;
      left = { kind: "and", left, right: this.parseUnary(depth) };
    }
    return left;
  }

  private parseUnary(depth: number): ValueFilter {
    if (depth > MAX_NESTING) throw invalidPath("value filter is nested too deeply");
    if (this.peekWord("not")) {
      this.position++;
      if (this.tokens[this.position]?.type !== "(") throw invalidPath('"not" must be followed by "("');
      return { kind: "not", filter: this.parseGroup(depth + 1) };
    }
    if (this.tokens[this.position]?.type === "(") return this.parseGroup(depth + 1);
    return this.parseComparison();
  }

  private parseGroup(depth: number): ValueFilter {
    this.position++;
    const inner = this.parseOr(depth);
    if (this.tokens[this.position]?.type !== ")") throw invalidPath('value filter is missing ")"');
    this.position++;
    return inner;
  }

  private parseComparison(): ValueFilter {
    const attributeToken = this.tokens[this.position++];
    if (attributeToken?.type !== "word" || !NAME.test(attributeToken.text) || isForbiddenKey(attributeToken.text)) {
      throw invalidPath("value filter must compare a sub-attribute name");
    }
    const attribute = attributeToken.text;
    const operatorToken = this.tokens[this.position++];
    const operator = operatorToken?.type === "word" ? operatorToken.text.toLowerCase() : "";
    if (operator === "pr") return { kind: "present", attribute };
    if (!OPERATORS.has(operator)) throw invalidPath(`value filter has an unknown operator after "${attribute}"`);
    const valueToken = this.tokens[this.position++];
    return { kind: "compare", attribute, operator: operator as CompareOperator, value: literal(valueToken) };
  }

  private peekWord(word: string): boolean {
    const token = this.tokens[this.position];
    return token?.type === "word" && token.text.toLowerCase() === word;
  }
}

function literal(token: Token | undefined): FilterLiteral {
  if (token?.type === "string") return token.text;
  if (token?.type === "word") {
    const lower = token.text.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
    if (lower === "null") return null;
    if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(token.text)) return Number(token.text);
  }
  throw invalidPath("value filter comparison is missing a valid value");
}

/** How to read one sub-attribute of an element: its stored key and whether strings compare case-sensitively. */
export type SubAttributeLookup = (name: string) => { key: string; caseExact: boolean };

export function matchesValueFilter(filter: ValueFilter, element: Record<string, unknown>, lookup: SubAttributeLookup): boolean {
  switch (filter.kind) {
    case "and":
      return matchesValueFilter(filter.left, element, lookup) && matchesValueFilter(filter.right, element, lookup);
    case "or":
      return matchesValueFilter(filter.left, element, lookup) || matchesValueFilter(filter.right, element, lookup);
    case "not":
      return !matchesValueFilter(filter.filter, element, lookup);
    case "present": {
      const value = readSub(element, lookup(filter.attribute).key);
      return value !== undefined && value !== null && value !== "" && !(Array.isArray(value) && value.length === 0);
    }
    case "compare": {
      const { key, caseExact } = lookup(filter.attribute);
      return compare(readSub(element, key), filter.operator, filter.value, caseExact);
    }
  }
}

function readSub(element: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(element, key)) return element[key];
  const lower = key.toLowerCase();
  const found = Object.keys(element).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : element[found];
}

function compare(actual: unknown, operator: CompareOperator, expected: FilterLiteral, caseExact: boolean): boolean {
  if (expected === null) {
    const absent = actual === undefined || actual === null;
    return operator === "eq" ? absent : operator === "ne" ? !absent : false;
  }
  if (typeof actual === "string" && typeof expected === "string") {
    const a = caseExact ? actual : actual.toLowerCase();
    const b = caseExact ? expected : expected.toLowerCase();
    return compareOrdered(a, b, operator) ?? textOperator(a, b, operator);
  }
  if (typeof actual === "number" && typeof expected === "number") return compareOrdered(actual, expected, operator) ?? false;
  if (typeof actual === "boolean" && typeof expected === "boolean") {
    return operator === "eq" ? actual === expected : operator === "ne" ? actual !== expected : false;
  }
  return operator === "ne";
}

function compareOrdered<T extends string | number>(a: T, b: T, operator: CompareOperator): boolean | undefined {
  switch (operator) {
    case "eq":
      return a === b;
    case "ne":
      return a !== b;
    case "gt":
      return a > b;
    case "ge":
      return a >= b;
    case "lt":
      return a < b;
    case "le":
      return a <= b;
    default:
      return undefined;
  }
}

function textOperator(a: string, b: string, operator: CompareOperator): boolean {
  if (operator === "co") return a.includes(b);
  if (operator === "sw") return a.startsWith(b);
  return a.endsWith(b);
}

/**
 * The element a filter describes, when it is only `eq` comparisons joined by `and`
 * (`type eq "work" and primary eq true` → {type: "work", primary: true}); undefined otherwise.
 * Entra expects add/replace through such a filter to create the element when none matches.
 */
export function elementFromFilter(filter: ValueFilter): Record<string, FilterLiteral> | undefined {
  if (filter.kind === "compare" && filter.operator === "eq" && filter.value !== null) return { [filter.attribute]: filter.value };
  if (filter.kind !== "and") return undefined;
  const left = elementFromFilter(filter.left);
  const right = elementFromFilter(filter.right);
  return left && right ? { ...left, ...right } : undefined;
}
