import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../src/db/database.js";
import { readMigrations } from "../../src/db/migrate.js";
import { AUTH_CHANGE_CHANNEL } from "../../src/directories/auth-change.js";
import { waitFor } from "../helpers/event-fixtures.js";
import { type ServerProcess, startServerProcess, waitForOk } from "../helpers/server-process.js";
import { TEST_SECRETS_KEY } from "../helpers/test-app.js";
import { sql } from "../../src/db/sql.js";
import { createEmptyDatabase, serverUrl, type TestDatabase } from "../helpers/test-database.js";
import { PGBOUNCER_BIN } from "../scale/cluster-tools.js";
import { type PgBouncer, startPgBouncer } from "../scale/pgbouncer.js";

// The real service (src/server.ts) with DATABASE_URL through a real PgBouncer 1.18 in transaction mode and
// DATABASE_DIRECT_URL straight to Postgres, as docs/OPERATIONS.md "Running several replicas" configures it:
// it migrates an empty database over the direct URL, then serves the admin API and SCIM create / PATCH /
// list through the pooler, and a revocation's NOTIFY, sent on a pooled connection, is delivered.

const PROGRAM = PGBOUNCER_BIN;
const ADMIN_KEY = "pgbouncer-test-admin-key-0123456789";

describe("behind PgBouncer in transaction mode", () => {
  if (!PROGRAM) {
    it("needs the pgbouncer program", () => {
      if (process.env.REQUIRE_SCALE === "1") throw new Error("pgbouncer is not installed, and REQUIRE_SCALE=1 requires it");
      console.log(
        "SKIPPED test/db/pgbouncer.test.ts: pgbouncer is not installed (apt-get install pgbouncer); REQUIRE_SCALE=1 makes this a failure",
      );
    });
    return;
  }

  let db: TestDatabase;
  let bouncer: PgBouncer;
  let proc: ServerProcess;
  beforeAll(async () => {
    db = await createEmptyDatabase(); // not migrated: the service does it, over the direct URL
    bouncer = await startPgBouncer({ serverUrl: serverUrl(), poolSize: 10 });
    proc = await startServerProcess({
      DATABASE_URL: bouncer.urlFor(db.url),
      DATABASE_DIRECT_URL: db.url,
      DB_PREPARED_STATEMENTS: "false",
      ADMIN_API_KEY: ADMIN_KEY,
      SECRETS_KEY: TEST_SECRETS_KEY,
      WEBHOOK_WORKER: "true",
      SHUTDOWN_DRAIN_MS: "0",
    });
    await waitForOk(`${proc.baseUrl}/readyz`, 60_000, proc);
  });
  afterAll(async () => {
    await proc?.stop("SIGKILL");
    await bouncer?.stop();
    await db?.drop();
  });

  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${proc.baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  const scim = (token: string, method: string, path: string, body?: unknown) =>
    fetch(`${proc.baseUrl}/scim/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/scim+json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  it("migrated the empty database over the direct URL at start", async () => {
    expect(proc.output()).toContain("applied database migrations");
    const direct = new pg.Client({ connectionString: db.url });
    await direct.connect();
    try {
      const { rows } = await direct.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`,
      );
      expect(rows[0]!.n).toBe((await readMigrations()).length);
    } finally {
      await direct.end();
    }
    // no statement_timeout is sent through the pooler (PgBouncer would refuse it), and the operator is told to set it on the role
    expect(proc.output()).toContain("statement_timeout is off on pooled connections");
  });

  it("serves the admin API and SCIM create, PATCH and list through PgBouncer", async () => {
    const created = await admin("POST", "/directories", { name: "Pooled" });
    expect(created.status).toBe(201);
    const directory = (await created.json()) as { id: string; scim: { secretToken: string } };
    const token = directory.scim.secretToken;
    const base = `/${directory.id}`;

    const listed = await admin("GET", "/directories");
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { data: { id: string }[] }).data.map((d) => d.id)).toContain(directory.id);

    const user = await scim(token, "POST", `${base}/Users`, {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "pooled@example.com",
      active: true,
    });
    expect(user.status).toBe(201);
    const userId = ((await user.json()) as { id: string }).id;
    const patched = await scim(token, "PATCH", `${base}/Users/${userId}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "active", value: false }],
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { active: boolean }).active).toBe(false);
    const found = await scim(token, "GET", `${base}/Users?filter=${encodeURIComponent('userName eq "pooled@example.com"')}`);
    expect(found.status).toBe(200);
    const page = (await found.json()) as { totalResults: number; Resources: { id: string; active: boolean }[] };
    expect(page.totalResults).toBe(1);
    expect(page.Resources[0]).toMatchObject({ id: userId, active: false });

    const adminUsers = await admin("GET", `/directories/${directory.id}/users`);
    expect(adminUsers.status).toBe(200);
    expect(JSON.stringify(await adminUsers.json())).toContain("pooled@example.com");
    const events = await admin("GET", `/directories/${directory.id}/events`);
    expect(events.status).toBe(200);
    expect(((await events.json()) as { data: { type: string }[] }).data.map((e) => e.type)).toEqual(["user.created", "user.deactivated"]);

    // the traffic went through PgBouncer: it counted transactions for this database
    const stats = await bouncer.admin<{ database: string; total_xact_count: string }>("SHOW STATS");
    expect(Number(stats.find((s) => s.database === db.name)?.total_xact_count ?? 0)).toBeGreaterThan(0);
  });

  it("why the statement timeout is not sent through the pooler: PgBouncer 1.18 refuses it as a startup parameter", async () => {
    const withTimeout = createDatabase({ url: bouncer.urlFor(db.url), poolSize: 1, statementTimeoutMs: 30000, sessionTimeouts: true });
    const without = createDatabase({ url: bouncer.urlFor(db.url), poolSize: 1, statementTimeoutMs: 30000, sessionTimeouts: false });
    try {
      await expect(withTimeout.query(sql`SELECT 1`)).rejects.toThrow(/unsupported startup parameter: statement_timeout/);
      expect(await without.query(sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
    } finally {
      await withTimeout.close();
      await without.close();
    }
  });

  it("a revocation made on a pooled connection is announced at commit (NOTIFY) and refused", async () => {
    const created = await admin("POST", "/directories", { name: "Revoked" });
    const directory = (await created.json()) as { id: string; scim: { secretToken: string } };
    expect((await scim(directory.scim.secretToken, "GET", `/${directory.id}/Users`)).status).toBe(200);
    const tokens = (await (await admin("GET", `/directories/${directory.id}/tokens`)).json()) as { data: { id: string }[] };
    const tokenId = tokens.data[0]!.id;

    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const payloads: string[] = [];
    listener.on("notification", (n) => payloads.push(n.payload ?? ""));
    await listener.query(`LISTEN ${AUTH_CHANGE_CHANNEL}`);
    try {
      expect((await admin("DELETE", `/directories/${directory.id}/tokens/${tokenId}`)).status).toBe(204);
      await waitFor(() => payloads.length > 0, 5000, "the notification");
      expect(JSON.parse(payloads[0]!)).toEqual({ directoryId: directory.id, tokenId });
      expect((await scim(directory.scim.secretToken, "GET", `/${directory.id}/Users`)).status).toBe(401);
    } finally {
      await listener.end();
    }
  });
});
