import { randomUUID } from "node:crypto";
import pg from "pg";
import { PGBOUNCER_BIN } from "../test/scale/cluster-tools.js";
import { startPgBouncer } from "../test/scale/pgbouncer.js";
import { benchArgs, isMain } from "./lib/args.js";
import { createBenchDatabase, SERVER_URL } from "./lib/bench-database.js";
import { closedLoop, loopRow, type ScenarioResult } from "./lib/closed-loop.js";
import { printTable, runInfo, writeResult } from "./lib/report.js";

// Behind PgBouncer in transaction mode the statement timeout cannot be a startup parameter (refused) or a
// session SET (left on a shared server connection). What the pooler-safe ways cost per request, through a real
// PgBouncer (unnamed statements, as with DB_PREPARED_STATEMENTS=false):
//   - role setting (ALTER ROLE … SET statement_timeout): nothing on the wire; an autocommit point read;
//   - SET LOCAL around an autocommit statement: BEGIN + SET LOCAL (one simple-protocol message), the read, COMMIT;
//   - a one-statement transaction as db.transaction runs it, without and with SET LOCAL sent with its BEGIN.

type Row = ScenarioResult;

const READ = "SELECT id, name FROM directories WHERE id = $1";

export async function runStatementTimeout(opts: { concurrency: number[]; durationSec: number }): Promise<Row[]> {
  if (!PGBOUNCER_BIN) throw new Error("pgbouncer is not installed");
  const database = await createBenchDatabase("timeout");
  const bouncer = await startPgBouncer({ serverUrl: SERVER_URL, poolSize: 10 });
  const rows: Row[] = [];
  try {
    const id = randomUUID();
    const setup = new pg.Client({ connectionString: database.url });
    await setup.connect();
    await setup.query("INSERT INTO directories (id, name) VALUES ($1, 'bench')", [id]);
    await setup.end();
    for (const c of opts.concurrency) {
      const pool = new pg.Pool({ connectionString: bouncer.urlFor(database.url), max: c });
      const loop = (op: () => Promise<void>) => closedLoop({ concurrency: c, durationMs: opts.durationSec * 1000, warmupMs: 1000, op });
      const inTransaction = async (begin: string) => {
        const client = await pool.connect();
        try {
          await client.query(begin);
          await client.query(READ, [id]);
          await client.query("COMMIT");
        } finally {
          client.release();
        }
      };
      rows.push({ scenario: "role setting: autocommit read", result: await loop(async () => void (await pool.query(READ, [id]))) });
      rows.push({
        scenario: "SET LOCAL around an autocommit read",
        result: await loop(() => inTransaction("BEGIN; SET LOCAL statement_timeout = 30000")),
      });
      rows.push({ scenario: "transaction: BEGIN, read, COMMIT", result: await loop(() => inTransaction("BEGIN")) });
      rows.push({
        scenario: "transaction with SET LOCAL sent with BEGIN",
        result: await loop(() => inTransaction("BEGIN; SET LOCAL statement_timeout = 30000")),
      });
      await pool.end();
    }
  } finally {
    await bouncer.stop();
    await database.drop();
  }
  return rows;
}

if (isMain(import.meta.url)) {
  const args = benchArgs();
  const info = await runInfo();
  const concurrency = process.argv.includes("--concurrency") ? args.concurrency : [1, 16];
  const rows = await runStatementTimeout({ concurrency, durationSec: args.duration });
  printTable(
    `Statement timeout behind PgBouncer (${info.date}, commit ${info.commit}, load ${info.loadAverage.join(" ")})`,
    rows.map(loopRow),
  );
  writeResult("statement-timeout", info, rows);
}
