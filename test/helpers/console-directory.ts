import { randomUUID } from "node:crypto";
import { entraTutorial } from "../scim/patch/idp-requests.js";
import { createScimDirectory, type ScimDirectory, scimClient } from "./scim-fixtures.js";
import type { TestApp } from "./test-app.js";

// A directory synced the way Entra does it (its documented Create User / Create Group bodies, sent over
// SCIM through the app), for the console's directory pages.

export const HOSTILE_NAMES = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'] as const;

/** The markup of a hostile name, had it been rendered unescaped. */
export function unescaped(page: string): boolean {
  return page.includes("<script>alert(1)") || page.includes("<img src=x");
}

export interface SyncedDirectory extends ScimDirectory {
  scim: ReturnType<typeof scimClient>;
  /** Creates a user from Entra's Create User body; returns its id. */
  createUser(userName: string, extra?: Record<string, unknown>): Promise<string>;
  /** Creates a group from Entra's Create Group body with these members; returns its id. */
  createGroup(displayName: string, memberIds?: string[]): Promise<string>;
}

export async function syncedDirectory(t: TestApp, name = "Acme"): Promise<SyncedDirectory> {
  const d = await createScimDirectory(t, { name });
  const scim = scimClient(t, d);
  return {
    ...d,
    scim,
    async createUser(userName, extra = {}) {
      const body = structuredClone(entraTutorial("Create User").request.body);
      body.userName = userName;
      body.externalId = randomUUID();
      body.emails[0].value = userName.includes("@") ? userName : `${encodeURIComponent(userName)}@acme.example`;
      const res = await scim("POST", "/Users", { ...body, ...extra });
      if (res.status !== 201) throw new Error(`create user answered ${res.status}: ${res.raw}`);
      return res.body.id as string;
    },
    async createGroup(displayName, memberIds = []) {
      const body = structuredClone(entraTutorial("Create Group").request.body);
      body.displayName = displayName;
      body.externalId = `ext-${displayName}`;
      const res = await scim("POST", "/Groups", { ...body, members: memberIds.map((value) => ({ value })) });
      if (res.status !== 201) throw new Error(`create group answered ${res.status}: ${res.raw}`);
      return res.body.id as string;
    },
  };
}

/** Text of an attribute or element as the page escaped it (for following links and reading JSON off a page). */
export function unescapeHtml(s: string): string {
  return s.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

/** The event types of the events table(s) on a page, in order. */
export function eventTypesOn(body: string): string[] {
  return [...body.matchAll(/<td><code>([a-z_.]+)<\/code><\/td>/g)].map((m) => m[1]!);
}
