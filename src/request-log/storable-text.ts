// Postgres text and jsonb refuse two things a JavaScript string can hold: NUL (U+0000) and lone UTF-16
// surrogates (no UTF-8 encoding exists for them). The request log stores what a client sent, hostile or not,
// so both become U+FFFD (the Unicode replacement character); everything else is kept as it came.

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what must be found
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text with each NUL and lone surrogate replaced by U+FFFD, so Postgres accepts it. */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, "\uFFFD");
}
