import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScimDirectory, scimClient, USER_SCHEMA } from "../helpers/scim-fixtures.js";
import { buildTestApp, type TestApp } from "../helpers/test-app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";

/** The value of one series in Prometheus text format, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe("GET /metrics after real SCIM traffic", () => {
  let t: TestApp;
  let text: string;
  beforeAll(async () => {
    t = await buildTestApp({ METRICS: "open" });
    const d = await createScimDirectory(t);
    const scim = scimClient(t, d);
    expect((await scim("GET", `/Users?filter=userName eq "${randomUUID()}"`)).status).toBe(200);
    const created = await scim("POST", "/Users", { schemas: [USER_SCHEMA], userName: "ada@contoso.example" });
    expect(created.status).toBe(201);
    expect((await scim("POST", "/Users", { schemas: [USER_SCHEMA], userName: "ada@contoso.example" })).status).toBe(409);
    expect((await scim("GET", `/Users/${created.body.id}`)).status).toBe(200);
    expect((await scim("GET", `/Users/${randomUUID()}`)).status).toBe(404);
    const denied = await t.app.inject({
      method: "GET",
      url: `${d.base}/Groups`,
      headers: { authorization: "Bearer scim_wrong-token-wrong-token" },
    });
    expect(denied.statusCode).toBe(401);
    const res = await t.app.inject({ method: "GET", url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/plain");
    text = res.body;
  });
  afterAll(async () => t.close());

  it("counts HTTP requests by route pattern (never raw URLs) and status, with a latency histogram", () => {
    expect(sample(text, "scimbridge_http_requests_total", { method: "POST", route: "/scim/v2/:directoryId/Users", status: "201" })).toBe(1);
    expect(sample(text, "scimbridge_http_requests_total", { method: "POST", route: "/scim/v2/:directoryId/Users", status: "409" })).toBe(1);
    expect(sample(text, "scimbridge_http_requests_total", { method: "GET", route: "/scim/v2/:directoryId/Users/:id", status: "404" })).toBe(
      1,
    );
    expect(
      sample(text, "scimbridge_http_request_duration_seconds_count", {
        method: "GET",
        route: "/scim/v2/:directoryId/Users/:id",
        status: "200",
      }),
    ).toBe(1);
    expect(
      sample(text, "scimbridge_http_request_duration_seconds_bucket", { route: "/scim/v2/:directoryId/Users", status: "201", le: "+Inf" }),
    ).toBe(1);
    // ids stay out of labels
    expect(text).not.toMatch(/route="[^"]*[0-9a-f]{8}-[0-9a-f]{4}/);
  });

  it("counts SCIM operations by provider, resource, operation and outcome", () => {
    const op = (labels: Record<string, string>) => sample(text, "scimbridge_scim_operations_total", labels);
    expect(op({ provider: "entra", resource: "Users", operation: "list", outcome: "success" })).toBe(1);
    expect(op({ provider: "entra", resource: "Users", operation: "create", outcome: "success" })).toBe(1);
    expect(op({ provider: "entra", resource: "Users", operation: "create", outcome: "uniqueness" })).toBe(1);
    expect(op({ provider: "entra", resource: "Users", operation: "get", outcome: "success" })).toBe(1);
    expect(op({ provider: "entra", resource: "Users", operation: "get", outcome: "not_found" })).toBe(1);
    expect(op({ provider: "unknown", resource: "Groups", operation: "list", outcome: "unauthorized" })).toBe(1);
  });

  it("reports events written, webhook deliveries, database pool and request-log health", () => {
    // one user created → at least one event in the outbox
    expect(sample(text, "scimbridge_events_written_total")).toBeGreaterThanOrEqual(1);
    for (const status of ["pending", "failed", "succeeded", "dead"]) {
      expect(sample(text, "scimbridge_webhook_deliveries", { status })).toBe(0);
    }
    expect(sample(text, "scimbridge_webhook_oldest_pending_seconds")).toBe(0);
    expect(sample(text, "scimbridge_db_pool_connections", { state: "total" })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "scimbridge_db_pool_connections", { state: "idle" })).toEqual(expect.any(Number));
    expect(sample(text, "scimbridge_db_pool_connections", { state: "waiting" })).toEqual(expect.any(Number));
    expect(sample(text, "scimbridge_request_log_dropped")).toBe(0);
    expect(sample(text, "scimbridge_process_cpu_seconds_total")).toBeGreaterThan(0);
  });
});

describe("webhook delivery lag", () => {
  it("shows open deliveries and the age of the oldest", async () => {
    const t = await buildTestApp();
    try {
      const d = await createScimDirectory(t);
      expect((await scimClient(t, d)("POST", "/Users", { schemas: [USER_SCHEMA], userName: "lag@contoso.example" })).status).toBe(201);
      const pool = t.app.db.pool;
      const endpoint = randomUUID();
      await pool.query(
        "INSERT INTO webhook_endpoints (id, directory_id, url, secret_encrypted) VALUES ($1, $2, 'https://hooks.example/x', 'v1.x.y.z')",
        [endpoint, d.directoryId],
      );
      const event = (await pool.query("SELECT id, txid FROM events WHERE directory_id = $1 LIMIT 1", [d.directoryId])).rows[0];
      const stream = (
        await pool.query("INSERT INTO webhook_streams (directory_id, endpoint_id) VALUES ($1, $2) RETURNING id", [d.directoryId, endpoint])
      ).rows[0].id;
      await pool.query(
        `INSERT INTO webhook_deliveries (directory_id, endpoint_id, stream_id, event_id, event_txid, status, created_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', now() - interval '90 seconds')`,
        [d.directoryId, endpoint, stream, event.id, event.txid],
      );
      const text = (await t.app.inject({ method: "GET", url: "/metrics" })).body;
      expect(sample(text, "scimbridge_webhook_deliveries", { status: "pending" })).toBe(1);
      expect(sample(text, "scimbridge_webhook_oldest_pending_seconds")).toBeGreaterThanOrEqual(90);
    } finally {
      await t.close();
    }
  });
});

describe("METRICS modes", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database.drop());

  it("off: /metrics does not exist", async () => {
    const t = await buildTestApp({ METRICS: "off" }, database);
    const res = await t.app.inject({ method: "GET", url: "/metrics" });
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    await t.close();
  });

  it("bearer: 401 without or with a wrong token, 200 with METRICS_TOKEN", async () => {
    const t = await buildTestApp({ METRICS: "bearer", METRICS_TOKEN: "metrics-secret-0123456789" }, database);
    const none = await t.app.inject({ method: "GET", url: "/metrics" });
    expect(none.statusCode).toBe(401);
    expect(none.headers["www-authenticate"]).toContain("Bearer");
    expect(none.json()).toMatchObject({ status: 401, code: "unauthorized" });
    const wrong = await t.app.inject({ method: "GET", url: "/metrics", headers: { authorization: "Bearer metrics-secret-0123456788" } });
    expect(wrong.statusCode).toBe(401);
    const ok = await t.app.inject({ method: "GET", url: "/metrics", headers: { authorization: "Bearer metrics-secret-0123456789" } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain("scimbridge_http_requests_total");
    expect(t.logText()).not.toContain("metrics-secret-0123456789");
    await t.close();
  });

  it("open: anyone may scrape; each app has its own registry", async () => {
    const a = await buildTestApp({ METRICS: "open" }, database);
    const b = await buildTestApp({ METRICS: "open" }, database);
    await a.app.inject({ method: "GET", url: "/healthz" });
    const textA = (await a.app.inject({ method: "GET", url: "/metrics" })).body;
    const textB = (await b.app.inject({ method: "GET", url: "/metrics" })).body;
    expect(sample(textA, "scimbridge_http_requests_total", { route: "/healthz", status: "200" })).toBe(1);
    expect(sample(textB, "scimbridge_http_requests_total", { route: "/healthz" })).toBeUndefined();
    await a.close();
    await b.close();
  });
});
