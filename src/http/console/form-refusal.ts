import type { TSchema } from "typebox";
import { Errors } from "typebox/value";
import { adminProblemFor } from "../admin/admin-errors.js";
import { html, type SafeHtml } from "../html.js";
import { ApiProblem } from "../problem.js";

// How a console form is refused without losing what the operator typed: a value built from the form is
// checked against the admin API's own TypeBox schema (the console refuses what the API refuses, by one
// definition), and a service's refusal becomes the admin API's problem (its status and detail), shown
// beside the form on the page answered with that status.

/** What a form shows when it was refused: the admin API's status and problem detail. */
export interface FormRefusal {
  status: number;
  detail: string;
}

const UNION_NOISE = new Set(["anyOf", "type", "boolean", "required", "additionalProperties"]);

/** The first way `value` fails the admin API's `schema`, as a 400 refusal; `where` names a JSON pointer for the operator. */
export function schemaRefusal(schema: TSchema, value: unknown, where: (instancePath: string) => string): FormRefusal | undefined {
  const errors = Errors(schema, value);
  // in a union (null | string) every branch reports; the constraint of the branch that was meant says more
  const first = errors.find((e) => !UNION_NOISE.has(e.keyword)) ?? errors.find((e) => e.keyword !== "anyOf") ?? errors[0];
  return first ? { status: 400, detail: `${where(first.instancePath)}: ${first.message}.` } : undefined;
}

/**
 * Runs a service call. A refusal the admin API answers with a 4xx problem comes back as `refused`; an
 * unknown directory and anything else still throw (the console's error page).
 */
export async function unlessRefused<T>(work: () => Promise<T>): Promise<{ value: T; refused?: undefined } | { refused: FormRefusal }> {
  try {
    return { value: await work() };
  } catch (err) {
    const problem = adminProblemFor(err as Error);
    if (!(problem instanceof ApiProblem) || problem.status >= 500 || problem.code === "directory_not_found") throw err;
    return { refused: { status: problem.status, detail: problem.detail ?? problem.title } };
  }
}

/** The refusal shown above the form it refused (nothing when there is none). */
export function refusalNotice(id: string, refused: FormRefusal | undefined): SafeHtml | string {
  return refused ? html`<div class="notice bad" role="alert" id="${id}">${refused.detail}</div>` : "";
}
