// Recursive-descent parser for SCIM filters (RFC 7644 §3.4.2.2, Figure 1).
//
// Why not wrap scim2-parse-filter (0.2.10, installed)? Evaluated and rejected:
// - it rewrites Entra's `emails[type eq "work"].value eq "x"` into
//   `emails[type eq "work"] and emails.value eq "x"`, which also matches a user whose *home* email is x;
// - its tokenizer re-slices the remaining input per token (quadratic on long input) and its recursion
//   has no depth bound (a deeply parenthesised filter overflows the stack);
// - it mangles JSON escapes (`\n` becomes a literal backslash-n) and throws plain Errors without a
//   position, so clients would get imprecise messages.
// A small hand-written parser fixes all of these and keeps errors as ScimError 400 invalidFilter.

import { invalidFilter } from "../errors.js";
import type { AttributePath, CompareOperator, FilterNode, FilterValue } from "./filter-ast.js";

/** Longest accepted filter, in UTF-8 bytes. */
export const MAX_FILTER_BYTES = 10 * 1024;
/** Deepest accepted nesting of parentheses, `not` and value paths. */
export const MAX_FILTER_DEPTH = 50;

const COMPARE_OPERATORS = new Set<string>(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]);
// Names that could reach object prototypes if ever used as keys; never valid SCIM attributes.
const FORBIDDEN_NAMES = new Set(["__proto__", "constructor", "prototype"]);
const ATTRIBUTE_NAME = /^(?:\$ref|[A-Za-z][A-Za-z0-9_-]*)$/;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const WORD_CHAR = /[A-Za-z0-9_\-:.$+]/;

type TokenKind = "word" | "string" | "(" | ")" | "[" | "]" | "end";
interface Token {
  kind: TokenKind;
  text: string;
  /** 1-based position in the filter text, for error messages. */
  position: number;
  end: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === "[" || c === "]") {
      tokens.push({ kind: c, text: c, position: i + 1, end: i + 1 });
      i++;
    } else if (c === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      if (i >= text.length) throw invalidFilter(`Unterminated string starting at position ${start + 1}`);
      i++;
      tokens.push({ kind: "string", text: text.slice(start, i), position: start + 1, end: i });
    } else if (WORD_CHAR.test(c)) {
      const start = i;
      while (i < text.length && WORD_CHAR.test(text[i])) i++;
      tokens.push({ kind: "word", text: text.slice(start, i), position: start + 1, end: i });
    } else {
      throw invalidFilter(`Unexpected character ${JSON.stringify(c)} at position ${i + 1}`);
    }
  }
  tokens.push({ kind: "end", text: "", position: text.length + 1, end: text.length + 1 });
  return tokens;
}

function describe(token: Token): string {
  return token.kind === "end" ? "the end of the filter" : `${JSON.stringify(token.text)} at position ${token.position}`;
}

/** Parses an attribute path; `relative` paths (inside a value path) are a bare sub-attribute name. */
export function parseAttributePath(text: string, position: number, relative = false): AttributePath {
  let uri: string | undefined;
  let rest = text;
  if (text.toLowerCase().startsWith("urn:")) {
    const colon = text.lastIndexOf(":");
    uri = text.slice(0, colon);
    rest = text.slice(colon + 1);
    if (!/^urn:[A-Za-z0-9][A-Za-z0-9-]*:.+$/i.test(uri)) {
      throw invalidFilter(`Invalid schema URN in attribute path ${JSON.stringify(text)} at position ${position}`);
    }
  }
  const parts = rest.split(".");
  if (parts.length > 2 || parts.some((p) => !ATTRIBUTE_NAME.test(p))) {
    throw invalidFilter(`Invalid attribute path ${JSON.stringify(text)} at position ${position}`);
  }
  if (parts.some((p) => FORBIDDEN_NAMES.has(p.toLowerCase()))) {
    throw invalidFilter(`Attribute name ${JSON.stringify(text)} at position ${position} is not allowed`);
  }
  if (relative && (uri || parts.length > 1)) {
    throw invalidFilter(`Inside [...] only a sub-attribute name is allowed; got ${JSON.stringify(text)} at position ${position}`);
  }
  return { ...(uri ? { uri } : {}), name: parts[0], ...(parts[1] ? { subAttribute: parts[1] } : {}) };
}

function parseValue(token: Token, operator: string): FilterValue {
  const expected = `expected a value (a "quoted string", number, true, false or null) after "${operator}"`;
  if (token.kind === "string") {
    let text: string;
    try {
      text = JSON.parse(token.text) as string;
    } catch {
      throw invalidFilter(`Invalid string literal at position ${token.position} (use JSON escapes such as \\" and \\\\)`);
    }
    // Postgres text cannot hold NUL; sent to the database it would fail the query (a 500), so refuse it here.
    if (text.includes("\u0000")) throw invalidFilter(`String literal at position ${token.position} contains a NUL character`);
    return text;
  }
  if (token.kind !== "word") throw invalidFilter(`${expected}; got ${describe(token)}`);
  const lower = token.text.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  if (lower === "null") return null;
  if (JSON_NUMBER.test(token.text)) {
    const n = Number(token.text);
    if (Number.isFinite(n)) return n;
  }
  throw invalidFilter(`${expected}; got ${describe(token)}`);
}

class FilterParser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): FilterNode {
    const node = this.parseOr(false);
    const next = this.peek();
    if (next.kind !== "end") throw invalidFilter(`Unexpected ${describe(next)}; expected "and", "or" or the end of the filter`);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    const t = this.tokens[this.index];
    if (t.kind !== "end") this.index++;
    return t;
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.kind === "word" && token.text.toLowerCase() === keyword;
  }

  private enter(token: Token): void {
    if (++this.depth > MAX_FILTER_DEPTH) {
      throw invalidFilter(`Filter is nested more than ${MAX_FILTER_DEPTH} levels deep (at position ${token.position})`);
    }
  }

  private parseOr(relative: boolean): FilterNode {
    const filters = [this.parseAnd(relative)];
    while (this.isKeyword(this.peek(), "or")) {
      this.next();
      filters.push(this.parseAnd(relative));
    }
    return combine("or", filters);
  }

  private parseAnd(relative: boolean): FilterNode {
    const filters = [this.parseUnary(relative)];
    while (this.isKeyword(this.peek(), "and")) {
      this.next();
      filters.push(this.parseUnary(relative));
    }
    return combine("and", filters);
  }

  private parseUnary(relative: boolean): FilterNode {
    const token = this.peek();
    if (token.kind === "(") {
      this.next();
      this.enter(token);
      const inner = this.parseOr(relative);
      this.expect(")", token);
      this.depth--;
      return inner;
    }
    if (this.isKeyword(token, "not")) {
      if (this.tokens[this.index + 1].kind !== "(") throw invalidFilter(`Expected "(" after "not" at position ${token.position}`);
      this.next();
      this.enter(token);
      const filter = this.parseUnary(relative);
      this.depth--;
      return { type: "not", filter };
    }
    if (token.kind !== "word") throw invalidFilter(`Unexpected ${describe(token)}; expected an attribute name, "not" or "("`);
    this.next();
    const attribute = parseAttributePath(token.text, token.position, relative);
    const after = this.peek();
    if (after.kind === "[") return this.parseValuePath(attribute, token, relative);
    return this.parseComparison(attribute, relative);
  }

  private parseComparison(attribute: AttributePath, relative: boolean): FilterNode {
    const opToken = this.next();
    const operator = opToken.kind === "word" ? opToken.text.toLowerCase() : "";
    if (operator === "pr") return { type: "present", attribute };
    if (!COMPARE_OPERATORS.has(operator)) {
      throw invalidFilter(
        `Unexpected ${describe(opToken)}; expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)${relative ? "" : " or ["}`,
      );
    }
    const value = parseValue(this.next(), operator);
    return { type: "compare", attribute, operator: operator as CompareOperator, value };
  }

  private parseValuePath(attribute: AttributePath, start: Token, relative: boolean): FilterNode {
    if (relative) throw invalidFilter(`Value paths cannot be nested (at position ${this.peek().position})`);
    const open = this.next();
    this.enter(open);
    const filter = this.parseOr(true);
    const close = this.expect("]", open);
    this.depth--;
    const node: FilterNode = { type: "valuePath", attribute, filter };
    // Entra's `emails[type eq "work"].value eq "x"`: the sub-attribute belongs to the same element.
    const after = this.peek();
    if (after.kind === "word" && after.text.startsWith(".") && after.position === close.end + 1) {
      this.next();
      if (attribute.subAttribute) throw invalidFilter(`Invalid attribute path after ${describe(start)}`);
      const sub = parseAttributePath(after.text.slice(1), after.position + 1, true);
      const tail = this.parseComparison(sub, true);
      node.filter = combine("and", [filter, tail]);
    }
    return node;
  }

  private expect(kind: ")" | "]", opener: Token): Token {
    const t = this.next();
    if (t.kind !== kind) {
      throw invalidFilter(`Expected "${kind}" to close "${opener.text}" at position ${opener.position}; got ${describe(t)}`);
    }
    return t;
  }
}

function combine(type: "and" | "or", filters: FilterNode[]): FilterNode {
  if (filters.length === 1) return filters[0];
  // Flatten `a and (b and c)` so the tree's depth stays bounded by the nesting limit.
  return { type, filters: filters.flatMap((f) => (f.type === type ? f.filters : [f])) };
}

/** Parses a SCIM filter; any problem is a ScimError 400 invalidFilter naming what and where. */
export function parseScimFilter(text: string): FilterNode {
  if (typeof text !== "string") throw invalidFilter("Filter must be given once, as a single string");
  if (text.trim() === "") throw invalidFilter("Filter is empty");
  if (Buffer.byteLength(text, "utf8") > MAX_FILTER_BYTES) {
    throw invalidFilter(`Filter is longer than ${MAX_FILTER_BYTES} bytes`);
  }
  return new FilterParser(tokenize(text)).parse();
}
