// What an event is about, read from its data (IdP data: any field may be missing or of another type). One
// reading for every place that summarises events: `scimbridge events tail` prints it, the console links it.

type Json = Record<string, unknown>;

export interface Subject {
  id?: string;
  /** userName of a user, displayName of a group. */
  name?: string;
}

export type EventSubject =
  | { kind: "user"; user: Subject }
  | { kind: "group"; group: Subject }
  | { kind: "membership"; change: "added to" | "removed from"; user: Subject; group: Subject }
  | { kind: "roles"; user: Subject; previousRoles: string[]; roles: string[] };

const objectOf = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const textOf = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const rolesOf = (v: unknown): string[] => (Array.isArray(v) ? v.filter((r): r is string => typeof r === "string") : []);

function subject(resource: unknown, nameField: "userName" | "displayName"): Subject {
  const o = objectOf(resource);
  return { id: textOf(o.id), name: textOf(o[nameField]) };
}

export function eventSubject(event: { type: string; data: unknown }): EventSubject {
  const data = objectOf(event.data);
  if (event.type === "user.roles_changed") {
    return { kind: "roles", user: subject(data.user, "userName"), previousRoles: rolesOf(data.previousRoles), roles: rolesOf(data.roles) };
  }
  if (event.type === "group.user_added" || event.type === "group.user_removed") {
    return {
      kind: "membership",
      change: event.type === "group.user_added" ? "added to" : "removed from",
      user: subject(data.user, "userName"),
      group: subject(data.group, "displayName"),
    };
  }
  if (event.type.startsWith("group.")) return { kind: "group", group: subject(data, "displayName") };
  return { kind: "user", user: subject(data, "userName") };
}

/** Roles as one word list: "admin, member", or "(none)". */
export function rolesText(roles: string[]): string {
  return roles.length > 0 ? roles.join(", ") : "(none)";
}
