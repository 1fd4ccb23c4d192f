import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrate } from "../../src/db/migrate.js";

// Every benchmark gets its own fresh, migrated database on the local Postgres server, dropped at the end,
// so runs never see each other's rows (or the test suite's).

export const SERVER_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface BenchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function urlFor(name: string): string {
  const u = new URL(SERVER_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

async function onServer<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: SERVER_URL });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

export async function createBenchDatabase(label: string): Promise<BenchDatabase> {
  const name = `sb_bench_${label}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  await onServer((c) => c.query(`CREATE DATABASE ${name}`));
  const url = urlFor(name);
  await migrate(url);
  return {
    url,
    name,
    drop: () => onServer((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Postgres settings that bound every figure (recorded with each run). */
export async function postgresSettings(): Promise<Record<string, string>> {
  return onServer(async (c) => {
    const { rows } = await c.query<{ name: string; setting: string; unit: string | null }>(
      `SELECT name, setting, unit FROM pg_settings
       WHERE name IN ('server_version', 'shared_buffers', 'max_connections', 'synchronous_commit', 'fsync', 'wal_level', 'work_mem')`,
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.unit ? `${r.setting} ${r.unit}` : r.setting]));
  });
}
