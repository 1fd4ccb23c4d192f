import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createScimDirectory,
  ERROR_SCHEMA,
  eventsOf,
  GROUP_SCHEMA,
  patchBody,
  scimClient,
  type ScimDirectory,
  userBody,
} from "../../helpers/scim-fixtures.js";
import { buildTestApp, type TestApp } from "../../helpers/test-app.js";

// An Okta-shaped provisioning run (bodies from ory/polis' Okta fixtures) plus Okta's SCIM spec-test
// checks: PUT updates, members inside POST/PUT, REPLACE of the whole member list, lowercase ops.

const okta = JSON.parse(readFileSync(new URL("../../fixtures/idp-requests/polis-e2e-okta.json", import.meta.url), "utf8")) as Record<
  string,
  Record<string, unknown>
>;

describe("Okta provisioning sequence", () => {
  let t: TestApp;
  let d: ScimDirectory;
  let scim: ReturnType<typeof scimClient>;
  let userId: string;
  let groupId: string;
  const extra: string[] = [];

  beforeAll(async () => {
    t = await buildTestApp({ AUTH_FAILURE_LIMIT_PER_MINUTE: "10000" });
    d = await createScimDirectory(t);
    scim = scimClient(t, d);
  });
  afterAll(async () => t.close());

  it("spec test: unknown userName filter gives 0 results, list works, unknown id is 404 with a SCIM error", async () => {
    const none = await scim("GET", `/Users?filter=${encodeURIComponent('userName eq "nobody@okta.local"')}&startIndex=1&count=100`);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
    const missing = await scim("GET", `/Users/${crypto.randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.schemas).toEqual([ERROR_SCHEMA]);
  });

  it("creates the Okta user (password and groups are ignored), re-create is 409", async () => {
    const res = await scim("POST", "/Users", okta.oktaUser_1);
    expect(res.status).toBe(201);
    userId = res.body.id;
    expect(res.body).toMatchObject({ userName: "jackson-1@boxyhq.okta.local", externalId: "jackson-1", locale: "en-US", active: true });
    expect(res.body).not.toHaveProperty("password");
    const again = await scim("POST", "/Users", okta.oktaUser_1);
    expect(again.status).toBe(409);
    expect(again.body.scimType).toBe("uniqueness");
  });

  it("filters userName case-insensitively", async () => {
    const res = await scim("GET", `/Users?filter=${encodeURIComponent('userName eq "JACKSON-1@BOXYHQ.OKTA.LOCAL"')}`);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].id).toBe(userId);
  });

  it("updates with PUT", async () => {
    const res = await scim("PUT", `/Users/${userId}`, okta.updatedOktaUser_1);
    expect(res.status).toBe(200);
    expect(res.body.name).toEqual({ familyName: "jackson-1-updated", givenName: "samuel-1-updated" });
    expect(res.body.emails[0].value).toBe("jackson-1-updated@okta.local");
    expect((await eventsOf(t, d.directoryId)).at(-1)).toMatchObject({
      type: "user.updated",
      data: { email: "jackson-1-updated@okta.local", givenName: "samuel-1-updated" },
    });
  });

  it("deactivates with a no-path replace {active:false} and with PUT active=false", async () => {
    const res = await scim("PATCH", `/Users/${userId}`, patchBody({ op: "replace", value: { active: false } }));
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    expect((await eventsOf(t, d.directoryId)).at(-1)!.type).toBe("user.deactivated");
    const back = await scim("PUT", `/Users/${userId}`, { ...okta.updatedOktaUser_1, active: true });
    expect(back.body.active).toBe(true);
    expect((await eventsOf(t, d.directoryId)).at(-1)!.type).toBe("user.reactivated");
    const off = await scim("PUT", `/Users/${userId}`, { ...okta.updatedOktaUser_1, active: false });
    expect(off.body.active).toBe(false);
  });

  it("pushes a group with members in the POST body and honours them", async () => {
    for (const n of [2, 3, 4]) extra.push((await scim("POST", "/Users", userBody(`jackson-${n}@okta.local`))).body.id);
    const res = await scim("POST", "/Groups", {
      ...okta.oktaGroup,
      members: [{ value: userId, display: "Jackson-1" }, { value: extra[0] }],
    });
    expect(res.status).toBe(201);
    groupId = res.body.id;
    expect(res.body.members.map((m: { value: string }) => m.value).sort()).toEqual([userId, extra[0]].sort());
    const events = await eventsOf(t, d.directoryId);
    expect(events.slice(-3).map((e) => e.type)).toEqual(["group.created", "group.user_added", "group.user_added"]);
  });

  it("PUT with members replaces the member list", async () => {
    const res = await scim("PUT", `/Groups/${groupId}`, {
      schemas: [GROUP_SCHEMA],
      displayName: "Ory",
      members: [{ value: extra[1] }, { value: extra[2] }],
    });
    expect(res.status).toBe(200);
    expect(res.body.members.map((m: { value: string }) => m.value).sort()).toEqual([extra[1], extra[2]].sort());
    const types = (await eventsOf(t, d.directoryId))
      .slice(-4)
      .map((e) => e.type)
      .sort();
    expect(types).toEqual(["group.user_added", "group.user_added", "group.user_removed", "group.user_removed"]);
  });

  it("PATCH replace of members (Okta group push) sets the whole list; rename via no-path replace", async () => {
    const res = await scim(
      "PATCH",
      `/Groups/${groupId}`,
      patchBody(
        { op: "replace", path: "members", value: [{ value: userId }] },
        { op: "replace", value: { id: groupId, displayName: "Ory renamed" } },
      ),
    );
    expect(res.status).toBe(204);
    const get = await scim("GET", `/Groups/${groupId}`);
    expect(get.body.displayName).toBe("Ory renamed");
    expect(get.body.members.map((m: { value: string }) => m.value)).toEqual([userId]);
    const row = await t.app.db.pool.query("SELECT member_count, display_name_norm FROM scim_groups WHERE id = $1", [groupId]);
    expect(row.rows[0]).toEqual({ member_count: 1, display_name_norm: "ory renamed" });
  });

  it("lists groups with paging like Okta (count=1,startIndex=1)", async () => {
    await scim("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Second" });
    const res = await scim("GET", "/Groups?count=1&startIndex=1");
    expect(res.body).toMatchObject({ totalResults: 2, itemsPerPage: 1, startIndex: 1 });
  });

  it("spec test: a bad token is 401 with a SCIM error body", async () => {
    const res = await t.app.inject({
      method: "GET",
      url: `${d.base}/Users`,
      headers: { authorization: "Bearer scim_wrongwrongwrongwrongwrongwrong" },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ schemas: [ERROR_SCHEMA], status: "401" });
  });
});
