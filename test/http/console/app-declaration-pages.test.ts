import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unescaped } from "../../helpers/console-directory.js";
import { type ConsoleClient, consoleTestApp, FORM, formBody } from "../../helpers/console-session.js";
import { createScimDirectory } from "../../helpers/scim-fixtures.js";
import { adminAuth, type TestApp } from "../../helpers/test-app.js";

// The app-wide "Attributes and roles" page: declare, change and delete attributes (confirmed), declare,
// describe and remove roles, each through the admin API's services (checked back through the admin API),
// with the API's status and problem detail on the page when it refuses, and nothing changed then.

const PAGE = "/console/attributes-and-roles";

describe("console: app attributes and roles", () => {
  let t: TestApp;
  let c: ConsoleClient;
  beforeAll(async () => {
    ({ t, c } = await consoleTestApp());
  });
  afterAll(async () => t?.close());

  const api = async (url: string) => (await t.app.inject({ method: "GET", url: `/api/v1${url}`, headers: adminAuth })).json();

  it("sends a browser without a session to sign-in, and is linked from the console's navigation", async () => {
    const res = await t.app.inject({ method: "GET", url: PAGE });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/console/sign-in?next=${encodeURIComponent(PAGE)}`);
    const post = await t.app.inject({
      method: "POST",
      url: `${PAGE}/attributes`,
      headers: FORM,
      payload: formBody({ name: "x", type: "string" }),
    });
    expect(post.statusCode).toBe(401);

    const page = await c.get(PAGE);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<h1>Attributes and roles</h1>");
    expect(page.body).toContain("No attributes declared yet.");
    expect(page.body).toContain("No roles declared yet.");
    expect((await c.get("/console/directories")).body).toContain(`<a href="${PAGE}">Attributes &amp; roles</a>`);
  });

  it("declares an attribute, changes its declaration, and shows both", async () => {
    const declared = await c.post(`${PAGE}/attributes`, { name: "employeeNumber", type: "number", required: "true" });
    expect(declared.statusCode).toBe(303);
    expect(declared.headers.location).toBe(`${PAGE}?notice=attribute-declared`);
    const page = await c.get(declared.headers.location as string);
    expect(page.body).toContain("Attribute declared");
    expect(page.body).toMatch(
      /<tr id="attribute-employeeNumber">\s*<td><span class="mono">employeeNumber<\/span><\/td>\s*<td>number<\/td>\s*<td>yes<\/td>/,
    );
    expect((await api("/attributes")).data).toMatchObject([{ name: "employeeNumber", type: "number", required: true }]);

    // the row's own form: a checkbox left unticked sends nothing, which is required: false
    const changed = await c.post(`${PAGE}/attributes`, { name: "employeeNumber", type: "string" });
    expect(changed.statusCode).toBe(303);
    expect(changed.headers.location).toBe(`${PAGE}?notice=attribute-saved`);
    expect((await api("/attributes")).data).toMatchObject([{ name: "employeeNumber", type: "string", required: false }]);
  });

  it("refuses a bad name or type with the admin API's 400 detail beside the form, keeping what was typed", async () => {
    const badName = await c.post(`${PAGE}/attributes`, { name: "cost-center", type: "string" });
    expect(badName.statusCode).toBe(400);
    expect(badName.body).toContain(
      '<div class="notice bad" role="alert" id="attribute-error">attribute name &quot;cost-center&quot; must start with a letter and hold only letters, digits and &quot;_&quot; (at most 64 characters)</div>',
    );
    expect(badName.body).toContain('id="attribute-name" name="name" type="text" required maxlength="64" value="cost-center"');
    const badType = await c.post(`${PAGE}/attributes`, { name: "level", type: "integer" });
    expect(badType.statusCode).toBe(400);
    expect(badType.body).toContain("type &quot;integer&quot; is not one of string, number, boolean, date, string[]");
    expect((await api("/attributes")).data.map((a: { name: string }) => a.name)).toEqual(["employeeNumber"]);
  });

  it("deletes an attribute only from its confirmation page; an unknown one is a 404 page", async () => {
    expect((await c.post(`${PAGE}/attributes`, { name: "temporary", type: "date" })).statusCode).toBe(303);
    const list = await c.get(PAGE);
    expect(list.body).toContain(`href="${PAGE}/attributes/temporary/delete"`);
    const confirm = await c.get(`${PAGE}/attributes/temporary/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain("Delete the attribute");
    expect(confirm.body).toContain(`action="${PAGE}/attributes/temporary/delete"`);
    expect((await api("/attributes")).data.map((a: { name: string }) => a.name)).toContain("temporary");

    const deleted = await c.post(`${PAGE}/attributes/temporary/delete`);
    expect(deleted.statusCode).toBe(303);
    expect((await c.get(deleted.headers.location as string)).body).toContain("Attribute deleted");
    expect((await api("/attributes")).data.map((a: { name: string }) => a.name)).toEqual(["employeeNumber"]);

    const again = await c.post(`${PAGE}/attributes/temporary/delete`);
    expect(again.statusCode).toBe(404);
    expect(again.body).toContain("attribute &quot;temporary&quot; is not declared");
    expect((await c.get(`${PAGE}/attributes/nosuch/delete`)).statusCode).toBe(404);
  });

  it("declares roles, changes a description, and refuses bad names and descriptions as the admin API's schema does", async () => {
    const declared = await c.post(`${PAGE}/roles`, { name: "admin", description: "Full access" });
    expect(declared.statusCode).toBe(303);
    expect(declared.headers.location).toBe(`${PAGE}?notice=role-declared`);
    expect((await c.post(`${PAGE}/roles`, { name: "member", description: "" })).statusCode).toBe(303);
    const described = await c.post(`${PAGE}/roles`, { name: "member", description: "<script>alert(1)</script> everyone" });
    expect(described.headers.location).toBe(`${PAGE}?notice=role-saved`);
    expect((await api("/roles")).data).toMatchObject([
      { name: "admin", description: "Full access" },
      { name: "member", description: "<script>alert(1)</script> everyone" },
    ]);
    const page = await c.get(PAGE);
    expect(page.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt; everyone");
    expect(unescaped(page.body)).toBe(false);

    const badName = await c.post(`${PAGE}/roles`, { name: "-leading-dash" });
    expect(badName.statusCode).toBe(400);
    expect(badName.body).toContain('id="role-error">Role name: must match pattern');
    expect((await c.post(`${PAGE}/roles`, { name: "a".repeat(65) })).statusCode).toBe(400);
    const longDescription = await c.post(`${PAGE}/roles`, { name: "ok", description: "d".repeat(1001) });
    expect(longDescription.statusCode).toBe(400);
    expect(longDescription.body).toContain("Description: must not have more than 1000 characters");
    expect((await api("/roles")).data.map((r: { name: string }) => r.name)).toEqual(["admin", "member"]);
  });

  it("refuses to remove a role a directory's mapping names (409), removes it once unused, then 404", async () => {
    const { directoryId } = await createScimDirectory(t);
    const mapped = await t.app.inject({
      method: "PUT",
      url: `/api/v1/directories/${directoryId}/role-mapping`,
      headers: adminAuth,
      payload: { defaultRole: "member", rules: [] },
    });
    expect(mapped.statusCode).toBe(200);
    const inUse = await c.post(`${PAGE}/roles/member/delete`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.body).toContain(`role &quot;member&quot; is used by a directory&#39;s role mapping: directories ${directoryId}`);
    expect((await api("/roles")).data.map((r: { name: string }) => r.name)).toEqual(["admin", "member"]);

    const removed = await c.post(`${PAGE}/roles/admin/delete`);
    expect(removed.statusCode).toBe(303);
    expect((await c.get(removed.headers.location as string)).body).toContain("Role removed.");
    const gone = await c.post(`${PAGE}/roles/admin/delete`);
    expect(gone.statusCode).toBe(404);
    expect(gone.body).toContain("role &quot;admin&quot; is not declared");
    expect((await c.post(`${PAGE}/roles/has%20space/delete`)).statusCode).toBe(400);
  });

  it("refuses a form without the session's CSRF token, or sent from another site, and changes nothing", async () => {
    const forged = await c.post(`${PAGE}/attributes`, { _csrf: "forged", name: "forged", type: "string" });
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain("This form is out of date or was not sent by the console.");
    const crossSite = await t.app.inject({
      method: "POST",
      url: `${PAGE}/roles/member/delete`,
      headers: { ...FORM, "sec-fetch-site": "cross-site", cookie: c.cookie },
      payload: formBody({ _csrf: c.csrfToken }),
    });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.body).toContain("This form was sent from another site, so it was refused.");
    expect((await api("/attributes")).data.map((a: { name: string }) => a.name)).toEqual(["employeeNumber"]);
    expect((await api("/roles")).data.map((r: { name: string }) => r.name)).toEqual(["member"]);
  });
});
