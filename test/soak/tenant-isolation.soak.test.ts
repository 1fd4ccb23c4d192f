import pg from "pg";
import { afterAll, beforeAll, it } from "vitest";
import { type LiveService, startLiveService } from "../reliability/live-service.js";
import { hammerTwoTenants } from "../reliability/tenant-hammer.js";

// The full-size tenant-isolation run of issue 7: two tenants' IdPs, 1,000 mixed operations each, at once.

let live: LiveService;
let sql: pg.Pool;

beforeAll(async () => {
  live = await startLiveService({ DB_POOL_SIZE: "20", WEBHOOK_WORKER: "true", WEBHOOK_POLL_MS: "20" });
  sql = new pg.Pool({ connectionString: live.database.url, max: 2 });
}, 120_000);
afterAll(async () => {
  await sql?.end();
  await live?.close();
}, 120_000);

it("2 × 1,000 mixed operations: every row, member, event and response stays in its own directory", async () => {
  await hammerTwoTenants(live, sql, 1000);
}, 120_000);
