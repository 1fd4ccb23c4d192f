import { describe, expect, it } from "vitest";
import { eventSubject, rolesText } from "../../src/events/event-subject.js";

// The one reading of what an event is about (CLI tail and console events page), over well-formed and odd data.

describe("eventSubject", () => {
  it("reads a user, a group, a membership change and a roles change", () => {
    expect(eventSubject({ type: "user.created", data: { id: "u1", userName: "ada@acme.example" } })).toEqual({
      kind: "user",
      user: { id: "u1", name: "ada@acme.example" },
    });
    expect(eventSubject({ type: "group.deleted", data: { id: "g1", displayName: "Engineering" } })).toEqual({
      kind: "group",
      group: { id: "g1", name: "Engineering" },
    });
    expect(
      eventSubject({ type: "group.user_removed", data: { user: { id: "u1", userName: "ada" }, group: { id: "g1", displayName: "Eng" } } }),
    ).toEqual({ kind: "membership", change: "removed from", user: { id: "u1", name: "ada" }, group: { id: "g1", name: "Eng" } });
    expect(
      eventSubject({
        type: "user.roles_changed",
        data: { user: { id: "u1", userName: "ada" }, previousRoles: ["viewer"], roles: ["editor", "viewer"] },
      }),
    ).toEqual({ kind: "roles", user: { id: "u1", name: "ada" }, previousRoles: ["viewer"], roles: ["editor", "viewer"] });
  });

  it("leaves out what is missing or not text, never throws", () => {
    expect(eventSubject({ type: "user.updated", data: null })).toEqual({ kind: "user", user: { id: undefined, name: undefined } });
    expect(eventSubject({ type: "group.user_added", data: { user: [1], group: { displayName: 7 } } })).toEqual({
      kind: "membership",
      change: "added to",
      user: { id: undefined, name: undefined },
      group: { id: undefined, name: undefined },
    });
    expect(eventSubject({ type: "user.roles_changed", data: { roles: ["a", 3, null], previousRoles: "x" } })).toMatchObject({
      previousRoles: [],
      roles: ["a"],
    });
  });

  it("writes roles as a list, or (none)", () => {
    expect(rolesText(["admin", "member"])).toBe("admin, member");
    expect(rolesText([])).toBe("(none)");
  });
});
