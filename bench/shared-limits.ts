import { randomUUID } from "node:crypto";
import { countAuthFailures } from "../src/auth-failures/auth-failure-store.js";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createDatabase } from "../src/db/database.js";
import { AuthFailureLimiter } from "../src/http/plugins/rate-limit.js";
import { createLogger } from "../src/logger.js";
import { benchArgs, isMain } from "./lib/args.js";
import { createBenchDatabase } from "./lib/bench-database.js";
import { closedLoop, loopRow, type ScenarioResult } from "./lib/closed-loop.js";
import { printTable, runInfo, writeResult } from "./lib/report.js";

// What sharing a rate-limit counter through Postgres costs per counted request (issue 14, "Shared limits"):
//   - in-memory failure count: the per-replica AuthFailureLimiter (the fallback);
//   - shared failure count: one UPSERT of two keys (ip, directory), spread over many IPs and directories,
//     which is what every failed authentication pays now;
//   - shared counter, one hot key: what a shared admin request limit would add to EVERY admin request of one
//     key (all of them on one row);
//   - admin GET /api/v1/directories through app.inject: the request that cost would be added to.

const ADMIN_KEY = "bench-admin-key-0123456789abcdef";

type Row = ScenarioResult;

export async function runSharedLimits(opts: { concurrency: number[]; durationSec: number }): Promise<Row[]> {
  const database = await createBenchDatabase("limits");
  const db = createDatabase({ url: database.url, poolSize: Math.max(...opts.concurrency), statementTimeoutMs: 0 });
  const config = loadConfig({
    DATABASE_URL: database.url,
    ADMIN_API_KEY: ADMIN_KEY,
    SECRETS_KEY: Buffer.alloc(32, 1).toString("base64"),
    ADMIN_RATE_LIMIT_PER_MINUTE: "100000000",
    LOG_LEVEL: "silent",
    WEBHOOK_WORKER: "false",
  });
  const app = await buildApp(config, { logger: createLogger("silent") });
  await app.ready();
  const rows: Row[] = [];
  const loop = (concurrency: number, op: (w: number) => Promise<void>) =>
    closedLoop({ concurrency, durationMs: opts.durationSec * 1000, warmupMs: 1000, op });
  try {
    const local = new AuthFailureLimiter(1_000_000_000);
    rows.push({
      scenario: "in-memory failure count",
      result: await loop(1, async () => void local.recordFailure(randomIp(), randomDir())),
    });
    for (const c of opts.concurrency) {
      rows.push({
        scenario: "shared failure count (ip + directory, spread)",
        result: await loop(c, async () => void (await countAuthFailures(db, [`ip:${randomIp()}`, `dir:${randomDir()}`], 60_000))),
      });
      rows.push({
        scenario: "shared counter, one hot key",
        result: await loop(c, async () => void (await countAuthFailures(db, ["key:admin"], 60_000))),
      });
      rows.push({
        scenario: "admin GET /api/v1/directories (inject)",
        result: await loop(c, async () => {
          const res = await app.inject({
            method: "GET",
            url: "/api/v1/directories?limit=1",
            headers: { authorization: `Bearer ${ADMIN_KEY}` },
          });
          if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
        }),
      });
    }
  } finally {
    await app.close();
    await db.close();
    await database.drop();
  }
  return rows;
}

const DIRECTORIES = Array.from({ length: 100 }, () => randomUUID());
function randomDir(): string {
  return DIRECTORIES[Math.floor(Math.random() * DIRECTORIES.length)]!;
}
function randomIp(): string {
  const n = Math.floor(Math.random() * 10_000);
  return `127.${n >> 8}.${n & 255}.1`;
}

if (isMain(import.meta.url)) {
  const args = benchArgs();
  const info = await runInfo();
  const concurrency = process.argv.includes("--concurrency") ? args.concurrency : [1, 16];
  const rows = await runSharedLimits({ concurrency, durationSec: args.duration });
  printTable(`Shared limits (${info.date}, commit ${info.commit}, load ${info.loadAverage.join(" ")})`, rows.map(loopRow));
  writeResult("shared-limits", info, rows);
}
