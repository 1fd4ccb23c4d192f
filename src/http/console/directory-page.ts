import type { FastifyRequest } from "fastify";
import type { DirectoryState } from "../../directories/directory-health.js";
import { DirectoryNotFound, type DirectoryView } from "../../directories/directory-service.js";
import { html, type SafeHtml } from "../html.js";
import { type ConsolePage, type DirectoryTab, directoryPath, directoryTabs, type PageSession } from "./console-layout.js";

// What the directory pages share: the :id of the URL, the page frame (crumbs, name, tabs), the one-line
// notices shown after a redirect, and how times and ages read.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The directory id of the URL; anything that is not a UUID is an unknown directory (404), like a UUID of none. */
export function directoryIdOf(request: FastifyRequest): string {
  const id = (request.params as { id?: string }).id ?? "";
  if (!UUID.test(id)) throw new DirectoryNotFound(id);
  return id.toLowerCase();
}

/** A UUID from the URL (a token or link id), or undefined. */
export function uuidParam(value: string | undefined): string | undefined {
  return value && UUID.test(value) ? value.toLowerCase() : undefined;
}

/** Fixed messages a redirect can ask for with ?notice=…, so no text from the URL reaches the page. */
const NOTICES = {
  created: "Directory created.",
  disabled: "Directory disabled: its IdP's SCIM requests are now refused.",
  enabled: "Directory enabled: its IdP can sync again.",
  deleted: "Directory deleted, with its users, groups, tokens and logs.",
  "token-revoked": "Token revoked: requests with it are refused from now on.",
  "link-revoked": "Setup link revoked: it now opens a page saying so.",
  "webhook-saved": "Webhook URL saved. Its secret did not change.",
  "webhook-removed": "Webhook removed: no more events are sent to it.",
  "attribute-declared": "Attribute declared: every directory's users are being recomputed in the background.",
  "attribute-saved": "Attribute saved. A changed declaration recomputes every directory's users in the background.",
  "attribute-deleted": "Attribute deleted, with every directory's mapping of it.",
  "role-declared": "Role declared: directories can now map groups to it.",
  "role-saved": "Role description saved.",
  "role-removed": "Role removed.",
  "mapping-saved": "SCIM path saved: this directory's users are being recomputed in the background.",
  "mapping-cleared": "Mapping cleared: the provider default applies again, and the users are being recomputed.",
  "remap-started": "Remap started: this directory's users are being recomputed with the current mapping.",
  "role-mapping-saved": "Role mapping saved: every user's roles were recomputed (each change is a user.roles_changed event).",
} as const;

export type NoticeKey = keyof typeof NOTICES;

export function noticeFrom(request: FastifyRequest): SafeHtml | "" {
  const key = (request.query as { notice?: string } | undefined)?.notice;
  return key && key in NOTICES ? html`<div class="notice ok" role="status">${NOTICES[key as NoticeKey]}</div>` : "";
}

export function withNotice(path: string, notice: NoticeKey): string {
  return `${path}?notice=${notice}`;
}

/** A page of one directory: crumbs back to the list, the directory's name as title, its tabs. */
export function directoryPage(
  directory: Pick<DirectoryView, "id" | "name">,
  tab: DirectoryTab,
  session: PageSession,
  body: SafeHtml,
  title?: string,
): ConsolePage {
  const crumbs: [string, string][] = [["Directories", "/console/directories"]];
  if (title) crumbs.push([directory.name, directoryPath(directory.id)]);
  return { title: title ?? directory.name, session, crumbs, body: html`${directoryTabs(directory.id, tab)}${body}` };
}

export function stateBadge(state: DirectoryState): SafeHtml {
  return html`<span class="badge ${state}">${state}</span>`;
}

/** A UTC time to the minute, machine-readable in `datetime`. */
export function timeTag(at: Date | null | undefined, none = "never"): SafeHtml | string {
  if (!at) return none;
  return html`<time datetime="${at.toISOString()}">${at.toISOString().slice(0, 16).replace("T", " ")} UTC</time>`;
}

/** "3 days", "5 hours", "12 minutes", "under a minute". */
export function age(since: Date, now = new Date()): string {
  const minutes = Math.floor((now.getTime() - since.getTime()) / 60_000);
  const plural = (v: number, unit: string) => `${v} ${unit}${v === 1 ? "" : "s"}`;
  if (minutes < 1) return "under a minute";
  if (minutes < 60) return plural(minutes, "minute");
  if (minutes < 48 * 60) return plural(Math.floor(minutes / 60), "hour");
  return plural(Math.floor(minutes / 1440), "day");
}

/** The notice above a secret shown once. */
export function shownOnceNotice(what: string): SafeHtml {
  return html`<div class="notice warn" role="alert"><strong>Copy ${what} now.</strong> It is shown only on this page and cannot be shown again; if it is lost, issue a new one.</div>`;
}
