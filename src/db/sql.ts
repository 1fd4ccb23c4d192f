// SQL as values: a tagged template that keeps text and parameters apart, so every query is parameterised
// and fragments compose (a SCIM filter compiles to a fragment that a store embeds in its WHERE).
// Pure: no connection, no driver. The SCIM core may build fragments; only src/db runs them.

const FRAGMENT = Symbol("sql-fragment");

export interface Sql {
  readonly [FRAGMENT]: true;
  /** Literal text between parameters; always one longer than `values`. */
  readonly strings: readonly string[];
  readonly values: readonly unknown[];
}

function fragment(strings: readonly string[], values: readonly unknown[]): Sql {
  return { [FRAGMENT]: true, strings, values };
}

export function isSql(value: unknown): value is Sql {
  return typeof value === "object" && value !== null && FRAGMENT in value;
}

/** sql`… ${value} …`: values become parameters; nested fragments are spliced in place. */
export function sql(template: TemplateStringsArray | readonly string[], ...values: unknown[]): Sql {
  const strings: string[] = [template[0] ?? ""];
  const params: unknown[] = [];
  values.forEach((value, i) => {
    const next = template[i + 1] ?? "";
    if (isSql(value)) {
      strings[strings.length - 1] += value.strings[0];
      for (let k = 0; k < value.values.length; k++) {
        params.push(value.values[k]);
        strings.push(value.strings[k + 1]!);
      }
      strings[strings.length - 1] += next;
    } else {
      params.push(value);
      strings.push(next);
    }
  });
  return fragment(strings, params);
}

/** Trusted text spliced as is: identifiers and keywords chosen by code, never user input. */
export function raw(text: string): Sql {
  return fragment([text], []);
}

export const empty: Sql = raw("");

export function join(parts: readonly Sql[], separator = ", "): Sql {
  if (parts.length === 0) return empty;
  const glue = parts.slice(1).map(() => separator);
  return sql(["", ...glue, ""], ...parts);
}

/** The text with $1…$n placeholders, and its parameters, as the driver takes them. */
export function toQuery(query: Sql): { text: string; values: unknown[] } {
  let text = query.strings[0]!;
  for (let i = 1; i < query.strings.length; i++) text += `$${i}${query.strings[i]}`;
  return { text, values: [...query.values] };
}
