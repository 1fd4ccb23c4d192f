import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RemapJobRunner, startAttributeRemapJob } from "../../../src/attributes/attribute-remap-job.js";
import { createLogger } from "../../../src/logger.js";
import { HOSTILE_NAMES, type SyncedDirectory, syncedDirectory, unescaped, unescapeHtml } from "../../helpers/console-directory.js";
import { type ConsoleClient, FORM, formBody, signInToConsole } from "../../helpers/console-session.js";
import { waitFor } from "../../helpers/event-fixtures.js";
import { adminAuth, buildTestApp, type TestApp } from "../../helpers/test-app.js";

// A directory's "Attributes & roles" tab over users synced through real SCIM POSTs (Entra's bodies): the
// paths seen in its users offered and listed with examples, a declared attribute mapped to one of them,
// the remap it starts (pending, then done, with a real remap runner), a type-mismatch warning, the role
// mapping saved through the form and the roles on the user page; every refusal with the admin API's status
// and detail and nothing changed; CSRF; hostile IdP values escaped.

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/** A page's markup without the <wbr> that let long SCIM paths wrap. */
const unwrapped = (body: string) => body.replaceAll("<wbr>", "");
const azure = JSON.parse(readFileSync(new URL("../../fixtures/idp-requests/polis-e2e-azure.json", import.meta.url), "utf8"));

describe("console: a directory's attributes and roles", () => {
  let t: TestApp;
  let c: ConsoleClient;
  let d: SyncedDirectory;
  let remaps: RemapJobRunner | undefined;
  let adaId = "";
  let jacksonId = "";
  const tab = () => `/console/directories/${d.directoryId}/mapping`;

  beforeAll(async () => {
    t = await buildTestApp();
    c = await signInToConsole(t.app);
    for (const [name, type] of [
      ["employeeNumber", "number"],
      ["badge", "string"],
    ]) {
      expect((await c.post("/console/attributes-and-roles/attributes", { name: name!, type: type! })).statusCode).toBe(303);
    }
    for (const name of ["admin", "member"]) expect((await c.post("/console/attributes-and-roles/roles", { name })).statusCode).toBe(303);
    d = await syncedDirectory(t, "Contoso");
    // Entra's Create User body with the enterprise extension Entra sends: an employeeNumber that is no number
    adaId = await d.createUser("ada@contoso.example", {
      [ENTERPRISE]: { employeeNumber: "E-1024", department: "Research", costCenter: HOSTILE_NAMES[0] },
    });
    const jackson = await d.scim("POST", "/Users", azure.azureUser_1);
    expect(jackson.status).toBe(201);
    jacksonId = jackson.body.id as string;
  });
  afterAll(async () => {
    await remaps?.stop();
    await t?.close();
  });

  const api = async (url: string) => (await t.app.inject({ method: "GET", url: `/api/v1${url}`, headers: adminAuth })).json();
  /** badge once its mapping is cleared: no Entra default, so always null. */
  const BADGE_UNMAPPED = { attribute: "badge", type: "string", required: false, scimPath: null, source: "none" };
  const mappingsApi = () => api(`/directories/${d.directoryId}/attribute-mappings`);

  it("sends a browser without a session to sign-in, and is one of the directory's tabs", async () => {
    const res = await t.app.inject({ method: "GET", url: tab() });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/console/sign-in?next=${encodeURIComponent(tab())}`);
    const overview = await c.get(`/console/directories/${d.directoryId}`);
    expect(overview.body).toContain(`<a href="${tab()}">Attributes &amp; roles</a>`);
    const page = await c.get(tab());
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<a href="${tab()}" aria-current="page">Attributes &amp; roles</a>`);
  });

  it("lists the SCIM paths seen in the users with examples and counts, offers them to each attribute's field, escaped", async () => {
    const page = await c.get(tab());
    // the datalist behind every path field, and the table that says the same without it
    expect(page.body).toContain('list="seen-scim-paths"');
    const datalist = /<datalist id="seen-scim-paths">([\s\S]*?)<\/datalist>/.exec(page.body)?.[1] ?? "";
    const offered = [...datalist.matchAll(/<option value="([^"]*)">/g)].map((m) => unescapeHtml(m[1]!));
    expect(offered).toEqual(
      expect.arrayContaining([`${ENTERPRISE}:department`, `${ENTERPRISE}:employeeNumber`, "title", 'emails[type eq "work"].value']),
    );
    const table = unwrapped(/<table id="seen-paths">([\s\S]*?)<\/table>/.exec(page.body)?.[1] ?? "");
    expect(table).toContain("Counted over all 2 users.");
    expect(table).toMatch(/emails\[type eq &quot;work&quot;\]\.value<\/span><\/td><td class="num">2<\/td><td class="num">100%<\/td>/);
    expect(table).toContain(
      `${ENTERPRISE}:department</span></td><td class="num">1</td><td class="num">50%</td>\n<td><code>Research</code></td>`,
    );
    // a hostile value the IdP sent is an example, as text
    expect(table).toContain("<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>");
    expect(unescaped(page.body)).toBe(false);
    // employeeNumber has Entra's default path; badge has none
    expect(unwrapped(page.body)).toContain(`Provider default (entra): <span class="mono">${ENTERPRISE}:employeeNumber</span>`);
    expect(page.body).toContain("No entra default: without a path of its own the value is always null.");
  });

  it("shows the type mismatch the SCIM write met as a warning", async () => {
    const page = await c.get(tab());
    const warnings = unwrapped(/<table id="mapping-warnings">([\s\S]*?)<\/table>/.exec(page.body)?.[1] ?? "");
    expect(warnings).toContain('<span class="mono">employeeNumber</span></td><td><span class="badge bad">type mismatch</span>');
    expect(warnings).toContain('<td>number</td><td><code>E-1024</code></td>\n<td class="num">1</td>');
    expect((await mappingsApi()).warnings).toMatchObject([
      { attribute: "employeeNumber", kind: "type_mismatch", example: "E-1024", count: 1 },
    ]);
  });

  it("maps an attribute to a seen enterprise path, and the remap it starts runs to done", async () => {
    expect((await c.get(tab())).body).toContain('<p id="remap-state">No remap has run for this directory yet.</p>');
    const saved = await c.post(`${tab()}/attributes/badge`, { scimPath: `${ENTERPRISE}:department` });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`${tab()}?notice=mapping-saved#attributes`);
    const page = await c.get(saved.headers.location as string);
    expect(page.body).toContain("SCIM path saved");
    expect(unwrapped(page.body)).toMatch(
      new RegExp(`<tr id="mapping-badge">[\\s\\S]*?${ENTERPRISE}:department</span><br><span class="badge ok">this directory</span>`),
    );
    expect(page.body).toContain(
      `id="path-badge" name="scimPath" type="text" size="40" maxlength="512" required list="seen-scim-paths" value="${ENTERPRISE}:department"`,
    );
    expect((await mappingsApi()).data).toContainEqual({
      attribute: "badge",
      type: "string",
      required: false,
      scimPath: `${ENTERPRISE}:department`,
      source: "directory",
    });
    // no process runs remaps in this app: the job waits, and its card refreshes itself meanwhile
    expect(page.body).toContain('<section class="card" id="remap" aria-labelledby="remap-heading" data-live="');
    expect(page.body).toMatch(/<dd id="remap-state"><span class="badge waiting">pending<\/span><\/dd>/);

    remaps = startAttributeRemapJob({ db: t.app.db, logger: createLogger("silent"), pollMs: 50, batchSize: 1 });
    let done = "";
    await waitFor(
      async () => {
        done = (await c.get(`${tab()}/remap`)).body;
        return done.includes('<span class="badge ok">done</span>');
      },
      15_000,
      "the remap to finish",
    );
    expect(done).toContain('<span id="remap-progress-text">2 of 2 users processed</span>');
    expect(done).toContain('<dd id="remap-changed">1 user (each got a user.updated)</dd>');
    expect(done).toContain('<section class="card" id="remap" aria-labelledby="remap-heading">');
    const ada = await api(`/directories/${d.directoryId}/users/${adaId}`);
    expect(ada.attributes).toEqual({ badge: "Research", employeeNumber: null });

    // by hand: the same job starts over
    const again = await c.post(`${tab()}/remap`);
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(`${tab()}?notice=remap-started#remap`);
    expect((await c.get(again.headers.location as string)).body).toContain("Remap started");
    await waitFor(async () => (await api(`/directories/${d.directoryId}/attribute-remap`)).state === "done", 15_000, "the second remap");
    expect(await api(`/directories/${d.directoryId}/attribute-remap`)).toMatchObject({ processed: 2, changed: 0 });
  });

  it("refuses a bad path (400), an empty one (400) and an undeclared attribute (404) beside the form, changing nothing", async () => {
    const before = await mappingsApi();
    const bad = await c.post(`${tab()}/attributes/badge`, { scimPath: "phoneNumber.value" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain(
      '<div class="notice bad" role="alert" id="mapping-error">scimPath &quot;phoneNumber.value&quot;: &quot;phoneNumber.value&quot; is not an attribute of User</div>',
    );
    // what was typed stays in the field
    expect(bad.body).toContain(
      'id="path-badge" name="scimPath" type="text" size="40" maxlength="512" required list="seen-scim-paths" value="phoneNumber.value"',
    );
    const empty = await c.post(`${tab()}/attributes/badge`, { scimPath: " " });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain("Enter a SCIM path for badge, or clear its mapping to go back to the provider default.");
    const tooLong = await c.post(`${tab()}/attributes/badge`, { scimPath: `title${"x".repeat(600)}` });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toContain("scimPath: must not have more than 512 characters.");
    const undeclared = await c.post(`${tab()}/attributes/nosuch`, { scimPath: "title" });
    expect(undeclared.statusCode).toBe(404);
    expect(undeclared.body).toContain("attribute &quot;nosuch&quot; is not declared");
    const badName = await c.post(`${tab()}/attributes/no-such`, { scimPath: "title" });
    expect(badName.statusCode).toBe(400);
    expect(await mappingsApi()).toEqual(before);

    const unknown = await c.post(`/console/directories/${randomUUID()}/mapping/attributes/badge`, { scimPath: "title" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain("directory not found");
    expect((await c.get(`/console/directories/${randomUUID()}/mapping`)).statusCode).toBe(404);
    expect((await c.get("/console/directories/not-a-uuid/mapping")).statusCode).toBe(404);
    expect((await c.post(`/console/directories/${randomUUID()}/mapping/remap`)).statusCode).toBe(404);
  });

  it("clears a mapping: the provider default (or none) applies again", async () => {
    const cleared = await c.post(`${tab()}/attributes/badge/clear`);
    expect(cleared.statusCode).toBe(303);
    expect(cleared.headers.location).toBe(`${tab()}?notice=mapping-cleared#attributes`);
    const page = await c.get(cleared.headers.location as string);
    expect(page.body).toContain("Mapping cleared");
    expect(page.body).toMatch(/<tr id="mapping-badge">[\s\S]*?<td>—<br><span class="badge off">not mapped<\/span><\/td>/);
    expect(page.body).not.toContain('id="clear-badge"');
    expect((await mappingsApi()).data).toContainEqual(BADGE_UNMAPPED);
  });

  it("saves a role mapping through the form; the users' roles show on their pages; group names are escaped", async () => {
    const hostileGroup = `Admins ${HOSTILE_NAMES[1]}`;
    const groupId = await d.createGroup(hostileGroup, [adaId]);
    const page = await c.get(tab());
    expect(page.body).toContain('<input type="hidden" name="rules" value="3">');
    expect(page.body).toContain(
      `<option value="${hostileGroup.replaceAll('"', "&quot;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")}"></option>`,
    );
    expect(unescaped(page.body)).toBe(false);

    const saved = await c.post(`${tab()}/roles`, {
      rules: "3",
      defaultRole: "member",
      "rule0.kind": "displayName",
      "rule0.group": hostileGroup.toUpperCase(),
      "rule0.role": "admin",
      "rule0.priority": "10",
      "rule1.kind": "groupId",
      "rule1.group": groupId,
      "rule1.role": "member",
      "rule1.priority": "",
      "rule2.kind": "displayName",
      "rule2.group": "",
      "rule2.role": "",
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`${tab()}?notice=role-mapping-saved#roles`);
    const mapping = {
      defaultRole: "member",
      rules: [
        { match: { displayName: hostileGroup.toUpperCase() }, role: "admin", priority: 10 },
        { match: { groupId }, role: "member", priority: 0 },
      ],
    };
    expect(await api(`/directories/${d.directoryId}/role-mapping`)).toEqual(mapping);
    const after = await c.get(saved.headers.location as string);
    expect(after.body).toContain("Role mapping saved");
    expect(after.body).toContain('<input type="hidden" name="rules" value="5">');
    expect(after.body).toContain(`name="rule1.group" type="text" maxlength="1000" value="${groupId}"`);
    expect(unescaped(after.body)).toBe(false);

    const ada = await c.get(`/console/directories/${d.directoryId}/users/${adaId}`);
    expect(ada.body).toContain('<dd id="user-roles">admin, member (');
    const jackson = await c.get(`/console/directories/${d.directoryId}/users/${jacksonId}`);
    expect(jackson.body).toContain('<dd id="user-roles">member (');

    // a rule removed with its checkbox
    const removed = await c.post(`${tab()}/roles`, {
      rules: "2",
      defaultRole: "member",
      "rule0.kind": "displayName",
      "rule0.group": hostileGroup,
      "rule0.role": "admin",
      "rule0.priority": "10",
      "rule1.kind": "groupId",
      "rule1.group": groupId,
      "rule1.role": "member",
      "rule1.priority": "0",
      "rule1.remove": "true",
    });
    expect(removed.statusCode).toBe(303);
    expect((await api(`/directories/${d.directoryId}/role-mapping`)).rules).toEqual([
      { match: { displayName: hostileGroup }, role: "admin", priority: 10 },
    ]);
    expect((await c.get(`/console/directories/${d.directoryId}/users/${adaId}`)).body).toContain('<dd id="user-roles">admin (');
  });

  it("refuses bad role mappings with the admin API's 400 detail beside the form, keeping the rows, changing nothing", async () => {
    const before = await api(`/directories/${d.directoryId}/role-mapping`);
    const post = (rows: Record<string, string>[], defaultRole = "") =>
      c.post(`${tab()}/roles`, {
        rules: String(rows.length),
        defaultRole,
        ...Object.fromEntries(rows.flatMap((r, i) => Object.entries(r).map(([k, v]) => [`rule${i}.${k}`, v]))),
      });
    const expectRefused = async (res: Awaited<ReturnType<typeof post>>, detail: string) => {
      expect(res.statusCode, res.body.slice(0, 200)).toBe(400);
      expect(res.body).toContain(`<div class="notice bad" role="alert" id="role-mapping-error">${detail}`);
    };

    const ghost = await post([{ kind: "displayName", group: "Auditors", role: "ghost", priority: "1" }]);
    await expectRefused(ghost, "unknown role &quot;ghost&quot;: declare it first");
    // the row as typed is still there, its unknown role shown as chosen
    expect(ghost.body).toContain('name="rule0.group" type="text" maxlength="1000" value="Auditors"');
    expect(ghost.body).toContain('<option value="ghost" selected>ghost</option>');
    await expectRefused(await post([], "ghost"), "unknown role &quot;ghost&quot;");
    await expectRefused(
      await post([
        { kind: "displayName", group: "Sales", role: "admin", priority: "1" },
        { kind: "displayName", group: "sales", role: "member", priority: "2" },
      ]),
      "Rule 2 matches the same group as Rule 1",
    );
    await expectRefused(
      await post([{ kind: "groupId", group: "not-a-uuid", role: "admin", priority: "1" }]),
      "Rule 1 group id: must match format &quot;uuid&quot;.",
    );
    await expectRefused(
      await post([{ kind: "displayName", group: "Sales", role: "admin", priority: "1.5" }]),
      "Rule 1 priority: must be integer.",
    );
    await expectRefused(
      await post([{ kind: "displayName", group: "Sales", role: "admin", priority: "10000000" }]),
      "Rule 1 priority: must be &lt;= 1000000.",
    );
    await expectRefused(await post([{ kind: "displayName", group: "Sales", role: "", priority: "1" }]), "Rule 1: choose a role");
    await expectRefused(
      await post([{ kind: "displayName", group: "", role: "admin", priority: "1" }]),
      "Rule 1: enter the group&#39;s name or id",
    );
    expect(await api(`/directories/${d.directoryId}/role-mapping`)).toEqual(before);

    const unknown = await c.post(`/console/directories/${randomUUID()}/mapping/roles`, { rules: "0", defaultRole: "" });
    expect(unknown.statusCode).toBe(404);
  });

  it("refuses a form without the session's CSRF token, or from another site, and changes nothing", async () => {
    const before = await api(`/directories/${d.directoryId}/role-mapping`);
    const forged = await c.post(`${tab()}/roles`, { _csrf: "forged", rules: "0", defaultRole: "" });
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain("This form is out of date or was not sent by the console.");
    const crossSite = await t.app.inject({
      method: "POST",
      url: `${tab()}/attributes/badge`,
      headers: { ...FORM, "sec-fetch-site": "cross-site", cookie: c.cookie },
      payload: formBody({ _csrf: c.csrfToken, scimPath: "title" }),
    });
    expect(crossSite.statusCode).toBe(403);
    const noSession = await t.app.inject({ method: "POST", url: `${tab()}/remap`, headers: FORM, payload: formBody({}) });
    expect(noSession.statusCode).toBe(401);
    expect(await api(`/directories/${d.directoryId}/role-mapping`)).toEqual(before);
    expect((await mappingsApi()).data).toContainEqual(BADGE_UNMAPPED);
  });
});
