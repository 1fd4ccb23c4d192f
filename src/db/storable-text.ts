// Postgres text and jsonb refuse two things a JavaScript string can hold: NUL (U+0000) and lone UTF-16
// surrogates (no UTF-8 encoding exists for them). One definition, two policies: the request log stores what
// a client sent, hostile or not, with each replaced by U+FFFD; SCIM resources refuse them (400 invalidValue),
// since silently changing an IdP's data would be worse than telling it.

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what must be found
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, "g");

/** The text with each NUL and lone surrogate replaced by U+FFFD, so Postgres accepts it. */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE_ALL, "\uFFFD");
}

/** True when Postgres could not store the text as it is. */
export function hasUnstorableText(text: string): boolean {
  return UNSTORABLE.test(text);
}
