import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAuthFailurePruning } from "../../src/auth-failures/auth-failure-pruning.js";
import { createDatabase } from "../../src/db/database.js";
import { SharedAuthFailureLimiter } from "../../src/http/plugins/rate-limit.js";
import { waitFor } from "../helpers/event-fixtures.js";
import { createScimDirectory } from "../helpers/scim-fixtures.js";
import { freePort } from "../helpers/server-process.js";
import { buildTestApp, type TestApp } from "../helpers/test-app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";

// AUTH_FAILURE_LIMIT_PER_MINUTE holds for the deployment, not per replica: two apps on one database count
// failures in the same windows (auth_failures).

describe("failed authentications are counted across replicas", () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    database = await createTestDatabase();
    a = await buildTestApp({ AUTH_FAILURE_LIMIT_PER_MINUTE: "3" }, database);
    b = await buildTestApp({ AUTH_FAILURE_LIMIT_PER_MINUTE: "3" }, database);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await database.drop();
  });

  it("failures from one IP spread over two replicas reach the limit together: the 4th is a 429 wherever it lands", async () => {
    const ip = "127.60.0.1";
    const badAdmin = (t: TestApp) =>
      t.app.inject({
        method: "GET",
        url: "/api/v1/directories",
        headers: { authorization: "Bearer wrong-admin-key-0123456789abcdef" },
        remoteAddress: ip,
      });
    const statuses = [(await badAdmin(a)).statusCode, (await badAdmin(b)).statusCode, (await badAdmin(a)).statusCode];
    expect(statuses).toEqual([401, 401, 401]);
    const fourth = await badAdmin(b);
    expect(fourth.statusCode).toBe(429);
    expect(fourth.headers["content-type"]).toContain("application/problem+json");
    expect(fourth.json()).toMatchObject({ status: 429, code: "too_many_auth_failures" });
    const retryAfter = Number(fourth.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await badAdmin(a)).statusCode).toBe(429);
  });

  it("failures against one directory from many IPs reach the directory's limit together; its valid token still works on both", async () => {
    const d = await createScimDirectory(a);
    const bad = (t: TestApp, n: number) =>
      t.app.inject({
        method: "GET",
        url: `${d.base}/Users`,
        headers: { authorization: `Bearer scim_wrong${n}wrongwrongwrongwrongwrong` },
        remoteAddress: `127.61.0.${n}`,
      });
    const statuses: number[] = [];
    for (let n = 1; n <= 4; n++) statuses.push((await bad(n % 2 ? a : b, n)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const refused = await bad(a, 5);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers["content-type"]).toContain("application/scim+json");
    for (const t of [a, b]) {
      const ok = await t.app.inject({ method: "GET", url: `${d.base}/Users`, headers: { authorization: d.headers.authorization } });
      expect(ok.statusCode).toBe(200);
    }
  });

  it("closed windows are pruned", async () => {
    await a.app.db.pool.query("UPDATE auth_failures SET reset_at = now() - interval '1 second'");
    const job = startAuthFailurePruning(a.app.db, pino({ level: "silent" }), 50);
    try {
      await waitFor(async () => (await a.app.db.pool.query("SELECT 1 FROM auth_failures")).rowCount === 0, 5000, "pruning");
    } finally {
      await job.stop();
    }
  });
});

describe("when the shared counter cannot be reached", () => {
  it("failures are counted in the process instead, so the limit still holds (per replica), with a warning", async () => {
    const port = await freePort(); // nothing listens there
    const db = createDatabase({ url: `postgresql://postgres@127.0.0.1:${port}/none`, poolSize: 1, statementTimeoutMs: 0 });
    const lines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => lines.push(line) });
    const limiter = new SharedAuthFailureLimiter(db, 2, logger);
    try {
      expect(await limiter.recordFailure("127.62.0.1")).toBeNull();
      expect(await limiter.recordFailure("127.62.0.1")).toBeNull();
      const retryAfter = await limiter.recordFailure("127.62.0.1");
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(lines.join("")).toContain("failed authentication counted in this process only");
    } finally {
      await db.close();
    }
  });
});
