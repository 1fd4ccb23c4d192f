import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRequestLogPruning } from "../../src/request-log/request-log-pruning.js";
import { pruneScimRequestsByAge, pruneScimRequestsByCount } from "../../src/request-log/request-log-store.js";
import { createScimDirectory, ENTERPRISE, type ScimDirectory, scimClient, USER_SCHEMA } from "../helpers/scim-fixtures.js";
import { buildTestApp, type TestApp } from "../helpers/test-app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { requestLogRow } from "../helpers/request-log-rows.js";

interface LoggedRow {
  method: string;
  path: string;
  query: string | null;
  status: number;
  scim_type: string | null;
  detail: string | null;
  duration_ms: number;
  client_request_id: string | null;
  body: string | null;
  authenticated: boolean;
}

async function rowsOf(t: TestApp, directoryId: string): Promise<LoggedRow[]> {
  const r = await t.app.db.pool.query("SELECT * FROM scim_requests WHERE directory_id = $1 ORDER BY id", [directoryId]);
  return r.rows;
}

const newUser = (userName: string) => ({
  schemas: [USER_SCHEMA, ENTERPRISE],
  userName,
  externalId: `ext-${userName}`,
  active: true,
  name: { givenName: "Ada", familyName: "Lovelace" },
  emails: [{ type: "work", value: userName, primary: true }],
  phoneNumbers: [{ type: "mobile", value: "+44 20 7946 0000" }],
  password: "Hunter2-password!",
  [ENTERPRISE]: { department: "Research", employeeNumber: "1815" },
});

describe("SCIM request log", () => {
  let database: TestDatabase;
  let t: TestApp;
  let d: ScimDirectory;
  beforeAll(async () => {
    database = await createTestDatabase();
    t = await buildTestApp({}, database);
    d = await createScimDirectory(t);
  });
  afterAll(async () => {
    await t.close();
    await database.drop();
  });

  it("records method, path, query, status, scimType, detail and client-request-id of real SCIM traffic", async () => {
    const scim = scimClient(t, d);
    const created = await scim("POST", "/Users", newUser("ada@contoso.example"), { "client-request-id": "entra-req-1" });
    expect(created.status).toBe(201);
    const duplicate = await scim("POST", "/Users", newUser("ada@contoso.example"), { "client-request-id": "entra-req-2" });
    expect(duplicate.status).toBe(409);
    const search = await scim("GET", `/Users?filter=userName+eq+%22ada%40contoso.example%22&count=5`);
    expect(search.status).toBe(200);
    const unauthorized = await t.app.inject({
      method: "GET",
      url: `${d.base}/Groups`,
      headers: { authorization: "Bearer scim_not-the-right-token-at-all" },
    });
    expect(unauthorized.statusCode).toBe(401);
    await t.app.requestLog.flush();

    const rows = await rowsOf(t, d.directoryId);
    expect(rows.map((r) => [r.method, r.path, r.status])).toEqual([
      ["POST", "/Users", 201],
      ["POST", "/Users", 409],
      ["GET", "/Users", 200],
      ["GET", "/Groups", 401],
    ]);
    expect(rows[0]).toMatchObject({ client_request_id: "entra-req-1", scim_type: null, detail: null, query: null });
    expect(rows[1]).toMatchObject({ client_request_id: "entra-req-2", scim_type: "uniqueness", detail: duplicate.body.detail });
    // filter values are personal data: redacted by default, the shape stays readable
    expect(rows[2]!.query).toBe('filter=userName eq "[redacted]"&count=5');
    expect(rows[3]).toMatchObject({ scim_type: null, detail: "invalid or missing bearer token" });
    // what the IdP did (a valid token) apart from what anyone can send: the setup page's status reads the former only
    expect(rows.map((r) => r.authenticated)).toEqual([true, true, true, false]);
    for (const r of rows) expect(r.duration_ms).toBeGreaterThan(0);
    // the bearer token never reaches the log table
    const all = JSON.stringify(rows);
    expect(all).not.toContain(d.token);
    expect(all).not.toContain("scim_not-the-right-token");
  });

  it("redacts personal data and drops secrets from bodies by default", async () => {
    const rows = await rowsOf(t, d.directoryId);
    const body = JSON.parse(rows[0]!.body!);
    expect(body).toMatchObject({
      userName: "[redacted]",
      externalId: "ext-ada@contoso.example",
      active: true,
      name: "[redacted]",
      emails: "[redacted]",
      phoneNumbers: "[redacted]",
      [ENTERPRISE]: { department: "Research", employeeNumber: "[redacted]" },
    });
    expect(body).not.toHaveProperty("password");
    expect(rows[0]!.body).not.toContain("Hunter2");
    expect(rows[0]!.body).not.toContain("Lovelace");
  });

  it("redacts PATCH values whose path names personal data, keeps group names", async () => {
    const scim = scimClient(t, d);
    const user = await scim("POST", "/Users", newUser("grace@contoso.example"));
    const patch = await scim("PATCH", `/Users/${user.body.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "Replace", path: 'emails[type eq "work"].value', value: "grace.h@contoso.example" },
        { op: "Replace", path: "active", value: "False" },
      ],
    });
    expect(patch.status).toBeLessThan(300);
    const group = await scim("POST", "/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Engineering",
      members: [],
    });
    expect(group.status).toBe(201);
    await t.app.requestLog.flush();
    const rows = await rowsOf(t, d.directoryId);
    const patchRow = rows.find((r) => r.method === "PATCH")!;
    expect(JSON.parse(patchRow.body!).Operations).toEqual([
      { op: "Replace", path: 'emails[type eq "work"].value', value: "[redacted]" },
      { op: "Replace", path: "active", value: "False" },
    ]);
    expect(patchRow.path).toBe(`/Users/${user.body.id}`);
    const groupRow = rows.find((r) => r.method === "POST" && r.path === "/Groups")!;
    expect(JSON.parse(groupRow.body!)).toMatchObject({ displayName: "Engineering" });
  });

  it("buffers rows and writes them in batches, outside the request", async () => {
    const scim = scimClient(t, d);
    await t.app.requestLog.flush();
    const before = (await rowsOf(t, d.directoryId)).length;
    await scim("GET", "/Users?count=1");
    // answered, but not yet written: the row waits in the buffer for the next flush
    expect(t.app.requestLog.pending).toBe(1);
    expect((await rowsOf(t, d.directoryId)).length).toBe(before);
    // the timer flushes within ~500 ms without anyone asking
    await expect.poll(async () => (await rowsOf(t, d.directoryId)).length, { timeout: 3000, interval: 100 }).toBe(before + 1);
    expect(t.app.requestLog.pending).toBe(0);
  });

  it("a full batch (200 rows) is written at once", async () => {
    const start = (await rowsOf(t, d.directoryId)).length;
    for (let i = 0; i < 210; i++) {
      t.app.requestLog.add(requestLogRow(d.directoryId));
    }
    // the 200th row triggered a flush of 200; 10 wait for the timer
    expect(t.app.requestLog.pending).toBe(10);
    await t.app.requestLog.flush();
    expect((await rowsOf(t, d.directoryId)).length).toBe(start + 210);
  });

  it("ignores requests for directories that do not exist, and non-UUID ids", async () => {
    const ghost = randomUUID();
    const res = await t.app.inject({ method: "GET", url: `/scim/v2/${ghost}/Users`, headers: { authorization: "Bearer scim_x" } });
    expect(res.statusCode).toBe(401);
    await t.app.inject({ method: "GET", url: "/scim/v2/not-a-uuid/Users" });
    await t.app.requestLog.flush();
    const r = await t.app.db.pool.query("SELECT count(*)::int AS n FROM scim_requests WHERE directory_id = $1", [ghost]);
    expect(r.rows[0].n).toBe(0);
    expect(t.app.requestLog.dropped).toBe(0);
  });

  it("keeps at most SCIM_REQUEST_LOG_MAX_ROWS per directory, newest kept, and prunes by age", async () => {
    const other = await createScimDirectory(t, { name: "Other" });
    for (let i = 0; i < 30; i++) {
      t.app.requestLog.add(requestLogRow(other.directoryId, { at: new Date(Date.now() - (30 - i) * 1000), path: `/Users/${i}` }));
    }
    await t.app.requestLog.flush();
    const deleted = await pruneScimRequestsByCount(t.app.db, [other.directoryId], 10);
    expect(deleted).toBe(20);
    const rows = await rowsOf(t, other.directoryId);
    expect(rows.map((r) => r.path)).toEqual(Array.from({ length: 10 }, (_, i) => `/Users/${i + 20}`));
    // the first directory is untouched
    expect((await rowsOf(t, d.directoryId)).length).toBeGreaterThan(10);

    await t.app.db.pool.query(
      "UPDATE scim_requests SET at = now() - interval '8 days' WHERE directory_id = $1 AND path IN ('/Users/20', '/Users/21')",
      [other.directoryId],
    );
    expect(await pruneScimRequestsByAge(t.app.db, 7)).toBe(2);
    expect((await rowsOf(t, other.directoryId)).length).toBe(8);
  });

  it("the pruning job bounds directories written since its last run", async () => {
    const other = await createScimDirectory(t, { name: "Busy" });
    for (let i = 0; i < 15; i++) {
      t.app.requestLog.add(requestLogRow(other.directoryId));
    }
    await t.app.requestLog.flush();
    const config = { ...t.config, requestLog: { ...t.config.requestLog, maxRowsPerDirectory: 10 } };
    const job = startRequestLogPruning(t.app.db, config, t.app.requestLog, t.app.log as never, 60_000);
    await job.stop();
    expect((await rowsOf(t, other.directoryId)).length).toBe(10);
  });
});

describe("SCIM request log: body policy and shutdown", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database.drop());

  it("SCIM_REQUEST_LOG_BODY=full keeps personal data but never secrets; none keeps no body", async () => {
    const full = await buildTestApp({ SCIM_REQUEST_LOG_BODY: "full" }, database);
    const d = await createScimDirectory(full);
    expect((await scimClient(full, d)("POST", "/Users", newUser("lin@contoso.example"))).status).toBe(201);
    expect((await scimClient(full, d)("GET", `/Users?filter=userName eq "lin@contoso.example"`)).status).toBe(200);
    await full.app.requestLog.flush();
    const [post, get] = await rowsOf(full, d.directoryId);
    expect(JSON.parse(post!.body!)).toMatchObject({ userName: "lin@contoso.example", name: { familyName: "Lovelace" } });
    expect(post!.body).not.toContain("Hunter2");
    expect(get!.query).toBe('filter=userName eq "lin@contoso.example"');
    await full.close();

    const none = await buildTestApp({ SCIM_REQUEST_LOG_BODY: "none" }, database);
    const d2 = await createScimDirectory(none);
    expect((await scimClient(none, d2)("POST", "/Users", newUser("kim@contoso.example"))).status).toBe(201);
    await none.app.requestLog.flush();
    const [row] = await rowsOf(none, d2.directoryId);
    expect(row).toMatchObject({ method: "POST", status: 201, body: null });
    await none.close();
  });

  it("rows still buffered are written when the app closes", async () => {
    const t = await buildTestApp({}, database);
    const d = await createScimDirectory(t);
    await scimClient(t, d)("GET", "/Users");
    expect(t.app.requestLog.pending).toBe(1);
    await t.close();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const r = await client.query("SELECT method, path, status FROM scim_requests WHERE directory_id = $1", [d.directoryId]);
      expect(r.rows).toEqual([{ method: "GET", path: "/Users", status: 200 }]);
    } finally {
      await client.end();
    }
  });
});
