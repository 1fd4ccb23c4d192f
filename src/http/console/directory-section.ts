import type { FastifyInstance, FastifyReply } from "fastify";
import { Type } from "typebox";
import { type DirectoryView, DirectoryNotFound, getDirectory } from "../../directories/directory-service.js";
import { ScimError } from "../../scim/errors.js";
import { isResourceId } from "../../scim/resource/resource-id.js";
import { html, type SafeHtml } from "../html.js";
import { type ConsolePage, type DirectoryTab, directoryPath, directoryTabs, type PageSession } from "./console-layout.js";
import { sendPage } from "./console-reply.js";

/** The path parameters of every page under /console/directories/:id. */
export const DirectoryParams = Type.Object({ id: Type.String() });

/** A list page with the SCIM filter box and cursor pages (users, groups). */
export const FilteredPageQuery = Type.Object({
  filter: Type.Optional(Type.String()),
  cursor: Type.Optional(Type.String()),
  limit: Type.Optional(Type.String()),
});

// What the pages inside one directory share: the directory read through the directory service (any id
// that is not one of its directories is a 404 page), the page frame (crumbs, heading, tabs), and the small
// renderers of times, notices and stored JSON. Everything passes through `html`, so IdP data is escaped.

/** The directory of a page; DirectoryNotFound (a 404 page) for anything else, malformed ids included. */
export async function directoryOf(app: FastifyInstance, directoryId: string): Promise<DirectoryView> {
  if (!isResourceId(directoryId)) throw new DirectoryNotFound(directoryId);
  return getDirectory(app.db, app.config, directoryId);
}

export interface SectionPage {
  directory: DirectoryView;
  tab: DirectoryTab;
  session: PageSession;
  /** The page heading; the directory's name on a tab's own page. */
  title?: string;
  /** Crumbs after "Directories / <directory>", e.g. [["Users", usersPath]] on one user's page. */
  crumbs?: [label: string, href: string][];
  body: SafeHtml;
  /** 200 unless given (a bad filter renders the page with 400). */
  status?: number;
}

export function sendSection(reply: FastifyReply, page: SectionPage) {
  const { directory } = page;
  const consolePage: ConsolePage = {
    title: page.title ?? directory.name,
    session: page.session,
    crumbs: [["Directories", "/console/directories"], [directory.name, directoryPath(directory.id)], ...(page.crumbs ?? [])],
    body: html`${directoryTabs(directory.id, page.tab)}${page.body}`,
  };
  return sendPage(reply.code(page.status ?? 200), consolePage);
}

/** A time as a <time> element (UTC, to the second); a dash when absent. */
export function timeOf(at: Date | string | null | undefined): SafeHtml {
  if (!at) return html`–`;
  const iso = new Date(at).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace("T", " ")} UTC</time>`;
}

/** Stored JSON, pretty-printed and escaped. */
export function jsonBlock(value: unknown, label: string): SafeHtml {
  return html`<pre tabindex="0" role="region" aria-label="${label}"><code>${JSON.stringify(value, null, 2)}</code></pre>`;
}

export function notice(kind: "ok" | "bad" | "warn", text: SafeHtml | string): SafeHtml {
  return html`<p class="notice ${kind}" role="${kind === "ok" ? "status" : "alert"}">${text}</p>`;
}

/** The value of a single-valued query parameter ("" counts as absent). */
export function queryValue(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** A page size from `?limit=` (1..200), else `fallback`. */
export function pageLimit(value: unknown, fallback = 50): number {
  const n = Number(queryValue(value));
  return Number.isInteger(n) && n >= 1 && n <= 200 ? n : fallback;
}

/**
 * A list read with a SCIM filter from the operator: a filter the parser refuses (ScimError 400) becomes the
 * page's `problem`, shown beside the form with status 400, instead of an error page that loses the form.
 */
export async function readFiltered<T>(read: () => Promise<T>): Promise<{ page?: T; problem?: string }> {
  try {
    return { page: await read() };
  } catch (err) {
    if (!(err instanceof ScimError) || err.status !== 400) throw err;
    return { problem: err.detail };
  }
}

/** The SCIM filter box of a list page (users, groups): a GET form that keeps the filter, and its examples. */
export function scimFilterForm(path: string, filter: string | undefined, what: "users" | "groups", examples: SafeHtml): SafeHtml {
  return html`<form method="get" action="${path}" class="inline card" role="search" aria-label="Filter ${what}">
  <div class="field"><label for="filter">SCIM filter</label>
  <input type="search" id="filter" name="filter" value="${filter ?? ""}" size="48" spellcheck="false" autocomplete="off"
    aria-describedby="filter-hint"></div>
  <button type="submit" class="primary">Filter ${what}</button>
  ${filter ? html`<a href="${path}">Clear filter</a>` : ""}
  <p class="hint" id="filter-hint">For example ${examples}.</p>
</form>`;
}

/** The notice of a refused filter (empty when there is none). */
export function filterProblem(problem: string | undefined): SafeHtml | string {
  return problem ? notice("bad", html`This filter is not valid: ${problem}`) : "";
}
