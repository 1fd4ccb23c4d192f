import { randomUUID } from "node:crypto";
import pg from "pg";
import { benchArgs, isMain } from "./lib/args.js";
import { createBenchDatabase } from "./lib/bench-database.js";
import { closedLoop, type LoopResult } from "./lib/closed-loop.js";
import { entraUser } from "./lib/entra-bodies.js";
import { printTable, runInfo, writeResult } from "./lib/report.js";

// The raw limit: the database work behind POST /Users and GET /Users?filter=userName eq, done directly
// with pg (prepared statements, no HTTP, no JSON schema work) at the same client concurrency. Service
// figures are reported as a fraction of these.
//   (a) insert tx: BEGIN; INSERT scim_users (same table, same indexes); INSERT events; COMMIT
//   (b) lookup:    SELECT the full user row WHERE directory_id = $1 AND user_name_norm = $2 (unique index)

export interface RawRow {
  op: "insert+event tx" | "lookup by userName";
  result: LoopResult;
}

const INSERT_USER = `INSERT INTO scim_users (id, directory_id, user_name, user_name_norm, external_id, active, display_name,
  given_name, family_name, email, resource) VALUES ($1, $2, $3, $4, $5, true, $6, $7, $8, $9, $10)
  RETURNING id, version, created_at, updated_at`;
const INSERT_EVENT = `INSERT INTO events (directory_id, type, data) VALUES ($1, 'user.created', $2)`;
const LOOKUP = `SELECT id, directory_id, user_name, external_id, active, display_name, given_name, family_name, email,
  resource, version, created_at, updated_at FROM scim_users WHERE directory_id = $1 AND user_name_norm = $2`;

export async function runRawPostgres(opts: { concurrency: number[]; durationSec: number }): Promise<RawRow[]> {
  const db = await createBenchDatabase("raw");
  const rows: RawRow[] = [];
  try {
    const directoryId = randomUUID();
    const setup = new pg.Client({ connectionString: db.url });
    await setup.connect();
    await setup.query(`INSERT INTO directories (id, name) VALUES ($1, 'raw bench')`, [directoryId]);
    await setup.end();

    let seq = 0;
    const userNames: string[] = [];
    for (const c of opts.concurrency) {
      const pool = new pg.Pool({ connectionString: db.url, max: c });
      pool.on("error", () => {}); // idle clients cut by the final DROP DATABASE ... WITH (FORCE)
      try {
        const insert = await closedLoop({
          concurrency: c,
          durationMs: opts.durationSec * 1000,
          warmupMs: 1000,
          op: async () => {
            const userName = `raw-${++seq}@bench.example`;
            const id = randomUUID();
            const body = entraUser(userName);
            const client = await pool.connect();
            try {
              await client.query("BEGIN");
              await client.query({
                name: "insert-user",
                text: INSERT_USER,
                values: [
                  id,
                  directoryId,
                  userName,
                  userName.toLowerCase(),
                  body.externalId,
                  body.displayName,
                  body.name.givenName,
                  body.name.familyName,
                  userName.toLowerCase(),
                  JSON.stringify(body),
                ],
              });
              await client.query({ name: "insert-event", text: INSERT_EVENT, values: [directoryId, JSON.stringify({ id, ...body })] });
              await client.query("COMMIT");
              userNames.push(userName.toLowerCase());
            } catch (err) {
              await client.query("ROLLBACK").catch(() => {});
              throw err;
            } finally {
              client.release();
            }
          },
        });
        rows.push({ op: "insert+event tx", result: insert });

        let pick = 0;
        const lookup = await closedLoop({
          concurrency: c,
          durationMs: opts.durationSec * 1000,
          warmupMs: 1000,
          op: async () => {
            pick = (pick + 7919) % userNames.length;
            const userName = userNames[pick]!;
            const r = await pool.query({ name: "lookup", text: LOOKUP, values: [directoryId, userName] });
            if (r.rowCount !== 1) throw new Error(`lookup of ${userName} found ${r.rowCount} rows`);
          },
        });
        rows.push({ op: "lookup by userName", result: lookup });
      } finally {
        await pool.end();
      }
    }
  } finally {
    await db.drop();
  }
  return rows;
}

/** Best raw rate per operation and concurrency, for the fractions. */
export function rawRate(rows: RawRow[], op: RawRow["op"], concurrency: number): number | undefined {
  return rows.find((r) => r.op === op && r.result.concurrency === concurrency)?.result.opsPerSec;
}

export function rawTable(rows: RawRow[]) {
  return rows.map(({ op, result: r }) => ({
    operation: op,
    C: r.concurrency,
    "ops/s": r.opsPerSec,
    "p50 ms": r.latencyMs.p50,
    "p95 ms": r.latencyMs.p95,
    "p99 ms": r.latencyMs.p99,
    "max ms": r.latencyMs.max,
    ops: r.ops,
    errors: r.errors,
  }));
}

if (isMain(import.meta.url)) {
  const args = benchArgs();
  const info = await runInfo();
  const rows = await runRawPostgres({ concurrency: args.concurrency, durationSec: args.duration });
  printTable(`Raw Postgres limit (pg, prepared statements, ${args.duration} s per row)`, rawTable(rows));
  console.log(`\nwrote ${writeResult("raw-postgres", info, rows)}`);
}
