import { html, pageHead, raw, type SafeHtml } from "../html.js";
import { CONSOLE_CSS, CONSOLE_SCRIPT } from "./console-assets.js";

// The page shell every console page renders into, and the small pieces pages share: the CSRF field of
// every form, the directory tabs, and "previous / next" cursor links. All values pass through `html`,
// which escapes them (IdP data included).

export interface Nonces {
  script: string;
  style: string;
}

/** What a page needs of the signed-in session. */
export interface PageSession {
  csrfToken: string;
}

export interface ConsolePage {
  title: string;
  /** Present on every page but sign-in: the sign-out form and the navigation need it. */
  session?: PageSession;
  /** A trail of links above the title, e.g. [["Directories", "/console/directories"]]. */
  crumbs?: [label: string, href: string][];
  body: SafeHtml;
}

/** The hidden field every state-changing form carries (checked by the console plugin on every POST). */
export function csrfField(session: PageSession): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${session.csrfToken}">`;
}

/** A POST form with its CSRF field; `attrs` is trusted markup (e.g. a class). */
export function postForm(action: string, session: PageSession, content: SafeHtml, attrs: SafeHtml = raw("")): SafeHtml {
  return html`<form method="post" action="${action}" ${attrs}>${csrfField(session)}${content}</form>`;
}

export const DIRECTORY_TABS = [
  ["overview", "Overview", ""],
  ["tokens", "Tokens", "/tokens"],
  ["setup-links", "Setup links", "/setup-links"],
  ["webhook", "Webhook", "/webhook"],
  ["users", "Users", "/users"],
  ["groups", "Groups", "/groups"],
  ["mapping", "Attributes & roles", "/mapping"],
  ["requests", "SCIM requests", "/requests"],
  ["events", "Events", "/events"],
  ["deliveries", "Deliveries", "/deliveries"],
] as const;

export type DirectoryTab = (typeof DIRECTORY_TABS)[number][0];

export function directoryPath(directoryId: string, tab: DirectoryTab = "overview"): string {
  const suffix = DIRECTORY_TABS.find(([key]) => key === tab)![2];
  return `/console/directories/${encodeURIComponent(directoryId)}${suffix}`;
}

export function directoryTabs(directoryId: string, active: DirectoryTab): SafeHtml {
  return html`<nav aria-label="Directory sections"><ul class="tabs">${DIRECTORY_TABS.map(
    ([key, label]) =>
      html`<li><a href="${directoryPath(directoryId, key)}"${key === active ? raw(' aria-current="page"') : ""}>${label}</a></li>`,
  )}</ul></nav>`;
}

/** Cursor paging: links carry the page's other query parameters; absent cursors render nothing. */
export function pager(path: string, query: Record<string, string | undefined>, next: string | null, first: boolean): SafeHtml {
  const href = (cursor?: string) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...query, cursor })) if (v) params.set(k, v);
    const qs = params.toString();
    return qs ? `${path}?${qs}` : path;
  };
  return html`<nav class="pager" aria-label="Pages">${first ? "" : html`<a href="${href(undefined)}">First page</a>`}${
    next ? html`<a href="${href(next)}" rel="next">Next page</a>` : ""
  }</nav>`;
}

export function renderConsolePage(page: ConsolePage, nonces: Nonces): string {
  const { session } = page;
  return html`<!doctype html>
<html lang="en">
${pageHead(`${page.title} · scimbridge console`, nonces.style, CONSOLE_CSS)}
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><div class="wrap">
<a class="brand" href="/console/directories">scimbridge console</a>
${
  session
    ? html`<nav aria-label="Console"><a href="/console/directories">Directories</a><a href="/console/attributes-and-roles">Attributes &amp; roles</a></nav>
${postForm("/console/sign-out", session, html`<button type="submit">Sign out</button>`)}`
    : ""
}
</div></header>
<main id="main" class="wrap">
${page.crumbs?.length ? html`<p class="crumbs">${page.crumbs.map(([label, href], i) => html`${i ? " / " : ""}<a href="${href}">${label}</a>`)}</p>` : ""}
<h1>${page.title}</h1>
${page.body}
</main>
<script nonce="${nonces.script}">${raw(CONSOLE_SCRIPT)}</script>
</body>
</html>
`.value;
}
