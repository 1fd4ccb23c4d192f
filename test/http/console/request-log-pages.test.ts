import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOSTILE_NAMES, type SyncedDirectory, syncedDirectory, unescaped, unescapeHtml } from "../../helpers/console-directory.js";
import { type ConsoleClient, signInToConsole } from "../../helpers/console-session.js";
import { buildTestApp, type TestApp } from "../../helpers/test-app.js";

// The console's SCIM request log: status and token filters, cursor pages, one request's stored detail
// (redacted body, never a token), escaping, and the error pages. The log is filled by real SCIM requests.

const requestIds = (body: string) => [...body.matchAll(/href="\/console\/directories\/[^/]+\/requests\/(\d+)"/g)].map((m) => m[1]!);

describe("console SCIM request log pages", () => {
  let t: TestApp;
  let c: ConsoleClient;
  let d: SyncedDirectory;
  let base: string;

  beforeAll(async () => {
    t = await buildTestApp();
    c = await signInToConsole(t.app);
    d = await syncedDirectory(t, "Acme");
    base = `/console/directories/${d.directoryId}/requests`;
    await d.createUser("ada@acme.example", { displayName: HOSTILE_NAMES[0] });
    expect((await d.scim("POST", "/Users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"] })).status).toBe(400);
    expect((await d.scim("GET", `/Users/${randomUUID()}`)).status).toBe(404);
    const noToken = await t.app.inject({
      method: "GET",
      url: `${d.base}/Users`,
      headers: { authorization: "Bearer wrong-token-value-123456" },
    });
    expect(noToken.statusCode).toBe(401);
    await t.app.requestLog.flush();
  });
  afterAll(async () => t?.close());

  it("lists requests newest first with time, method, path, status, scimType/detail and duration", async () => {
    const res = await c.get(base);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<a href="${base}" aria-current="page">SCIM requests</a>`);
    expect(res.body).toContain('<label for="status">Status</label>');
    expect(requestIds(res.body)).toHaveLength(4);
    expect(res.body).toMatch(
      /<code>POST<\/code><\/td><td class="mono">\/Users<\/td><td><span class="badge bad">400<\/span><\/td>\s*<td><code>invalidValue<\/code> /,
    );
    expect(res.body).toMatch(/<span class="badge ok">201<\/span>/);
    expect(res.body).toMatch(/\d+\.\d ms<\/td>/);
    // never the token, valid or not
    expect(res.body).not.toContain(d.token);
    expect(res.body).not.toContain("wrong-token-value");
  });

  it("filters by status class, exact status and token, and pages with a cursor", async () => {
    const fourxx = await c.get(`${base}?status=4xx`);
    expect(requestIds(fourxx.body)).toHaveLength(3);
    expect(fourxx.body).not.toContain('class="badge ok"');
    expect(fourxx.body).toContain('<option value="4xx" selected>');
    const two = await c.get(`${base}?status=2xx`);
    expect(requestIds(two.body)).toHaveLength(1);
    const exact = await c.get(`${base}?status=404`);
    expect(requestIds(exact.body)).toHaveLength(1);
    expect(exact.body).toContain('<span class="badge bad">404</span>');
    const odd = await c.get(`${base}?status=418`);
    expect(odd.body).toContain('<option value="418" selected>418</option>');
    const anonymous = await c.get(`${base}?authenticated=no`);
    expect(requestIds(anonymous.body)).toHaveLength(1);
    expect(anonymous.body).toContain('<span class="badge bad">401</span>');

    const first = await c.get(`${base}?status=4xx&limit=2`);
    expect(requestIds(first.body)).toHaveLength(2);
    const next = /<a href="([^"]+)" rel="next">Next page<\/a>/.exec(first.body)![1]!;
    expect(unescapeHtml(next)).toContain("status=4xx");
    const second = await c.get(unescapeHtml(next));
    expect(requestIds(second.body)).toHaveLength(1);
    expect(requestIds(second.body)[0]).not.toBe(requestIds(first.body)[1]);
  });

  it("answers a bad status filter with a 400 page that keeps the form", async () => {
    const res = await c.get(`${base}?status=abc`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain("Status must be a status code (401) or a class (4xx).");
    expect(res.body).toContain('<select id="status" name="status">');
    expect((await c.get(`${base}?cursor=garbage`)).statusCode).toBe(400);
  });

  it("shows one request as stored: redacted body, response status and detail, no token", async () => {
    const list = await c.get(`${base}?status=201`);
    const [id] = requestIds(list.body);
    const res = await c.get(`${base}/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("<h1>POST /Users</h1>");
    expect(res.body).toContain('<span class="badge ok">201</span>');
    const body = unescapeHtml(/aria-label="Request body"><code>([^<]*)<\/code>/.exec(res.body)![1]!);
    expect(body).toContain("[redacted]");
    expect(body).not.toContain("ada@acme.example");
    expect(res.body).not.toContain("ada@acme.example");
    expect(res.body).not.toContain(d.token);
    expect(res.body).toContain("SCIM_REQUEST_LOG_BODY=redacted");
    expect(unescaped(res.body)).toBe(false);

    const failed = await c.get(`${base}?status=400`);
    const detail = await c.get(`${base}/${requestIds(failed.body)[0]}`);
    expect(detail.body).toContain("<dt>scimType</dt><dd><code>invalidValue</code></dd>");
    const anonymous = await c.get(`${base}?authenticated=no`);
    const refused = await c.get(`${base}/${requestIds(anonymous.body)[0]}`);
    expect(refused.body).toContain("missing or not valid");
    expect(refused.body).not.toContain("wrong-token-value");
  });

  it("answers an unknown request, another directory's request and a malformed id with 404 pages", async () => {
    expect((await c.get(`${base}/999999999`)).statusCode).toBe(404);
    expect((await c.get(`${base}/abc`)).statusCode).toBe(404);
    const list = await c.get(base);
    const other = await syncedDirectory(t, "Other");
    const res = await c.get(`/console/directories/${other.directoryId}/requests/${requestIds(list.body)[0]}`);
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain("not in the directory");
  });
});

describe("console SCIM request log pages with SCIM_REQUEST_LOG_BODY=full", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ SCIM_REQUEST_LOG_BODY: "full" });
  });
  afterAll(async () => t?.close());

  it("shows the stored body escaped, with hostile names as text", async () => {
    const c = await signInToConsole(t.app);
    const d = await syncedDirectory(t, "Acme");
    for (const name of HOSTILE_NAMES) await d.createUser(name, { displayName: name });
    await t.app.requestLog.flush();
    const base = `/console/directories/${d.directoryId}/requests`;
    const list = await c.get(base);
    for (const id of requestIds(list.body)) {
      const res = await c.get(`${base}/${id}`);
      expect(res.statusCode).toBe(200);
      expect(unescaped(res.body)).toBe(false);
      expect(res.body).not.toContain(d.token);
    }
    const one = await c.get(`${base}/${requestIds(list.body)[0]}`);
    expect(one.body).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });
});
