import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import pg from "pg";
import { benchArgs, isMain } from "./lib/args.js";
import { startBackendCpu } from "./lib/backend-cpu.js";
import { createBenchDatabase } from "./lib/bench-database.js";
import { entraGroup, entraUser } from "./lib/entra-bodies.js";
import { round } from "./lib/latency.js";
import { SEEDED_DIRECTORY_USERS, seededUserId, seedUsers } from "./lib/seed-users.js";
import { printTable, runInfo, writeResult } from "./lib/report.js";
import { FLOOR_SQL } from "./floor-server.js";
import { DIR, type ServiceScript, serviceScripts } from "./lib/service-statements.js";

// The raw limit (issue 11): pgbench (Debian's postgresql-contrib, /usr/bin/pgbench) running each SCIM
// scenario's database work at the bench's concurrency, with -M simple and -M prepared. The scripts are
// generated from the floor server's statements (FLOOR_SQL: one statement per scenario, the target shape
// of the service's data access, which is being rewritten), with each $n parameter bound to a pgbench
// variable or expression. Reads run over seeded users (bench/lib/seed-users.ts: the same 10,000-user
// directory the list scenario reads) and groups; the resource JSON is an Entra-shaped body, sent as a
// parameter.
// Also reported: Postgres backend CPU per transaction (from /proc, as for the service and the floor).

const run = promisify(execFile);

const SEED_USERS = SEEDED_DIRECTORY_USERS;
const SEED_GROUPS = 1_000;

export type PgbenchMode = "simple" | "prepared";

export interface PgbenchRow {
  scenario: string;
  /** Whose statements: the floor's one statement per scenario, or the service's own (captured from its stores). */
  statements: "floor" | "service";
  mode: PgbenchMode;
  concurrency: number;
  tps: number;
  transactions: number;
  failed: number;
  latencyMs: number;
  pgCpuMsPerTx: number;
}

const seedId = (k: string) => seededUserId(":dir", k);
const unique = (prefix: string) => `'${prefix}' || :client_id || '-' || :n`;

/** Scenario name (as in scim-ops.ts) → floor statement, pgbench \set lines and one SQL expression per $n. */
const SCRIPTS: { scenario: string; sql: keyof typeof FLOOR_SQL; set: string[]; params: string[] }[] = [
  {
    scenario: "POST /Users",
    sql: "createUser",
    set: ["\\set n random(1, 1000000000000)"],
    params: [
      "gen_random_uuid()",
      ":dir",
      `${unique("pgb-")} || '@bench.example'`,
      "gen_random_uuid()::text",
      "true",
      `'User ' || :n`,
      "'User'",
      "'Bench'",
      `${unique("pgb-")} || '@bench.example'`,
      ":user_res",
    ],
  },
  {
    scenario: "PATCH /Users (Entra disable)",
    sql: "setUserActive",
    set: [`\\set k random(1, ${SEED_USERS})`, "\\set a random(0, 1)"],
    params: [":dir", seedId(":k"), ":a = 1"],
  },
  {
    scenario: "GET /Users?filter=userName eq",
    sql: "findUserByUserName",
    set: [`\\set k random(1, ${SEED_USERS})`],
    params: [":dir", "'user' || :k || '@growth.example'", "100", "0"],
  },
  { scenario: "GET /Users/{id}", sql: "getUser", set: [`\\set k random(1, ${SEED_USERS})`], params: [":dir", seedId(":k")] },
  { scenario: "GET /Users count=100", sql: "listUsers", set: [], params: [":dir", "100", "0"] },
  {
    scenario: "POST /Groups",
    sql: "createGroup",
    set: ["\\set n random(1, 1000000000000)"],
    params: ["gen_random_uuid()", ":dir", unique("pgb group "), "gen_random_uuid()::text", ":group_res"],
  },
  {
    scenario: "PATCH /Groups add 1 member",
    sql: "addMember",
    // 10M (group, user) pairs: a repeat (no-op insert) is rare
    set: [`\\set g random(1, ${SEED_GROUPS})`, `\\set k random(1, ${SEED_USERS})`],
    params: [":dir", `md5('group-' || :g)::uuid`, seedId(":k")],
  },
];

/**
 * A pgbench script from a statement: $n → (params[n-1]); string literals holding ':' are written with
 * \x3a escapes (pgbench would read ':ietf' in 'urn:ietf:…' as a variable).
 */
export function pgbenchScript(sql: string, set: string[], params: string[]): string {
  const text = sql
    .replace(/'(?:[^']|'')*'/g, (lit) => (lit.includes(":") ? `E${lit.replaceAll(":", "\\x3a")}` : lit))
    .replace(/\$(\d+)/g, (_, n: string) => `(${params[Number(n) - 1]})`)
    .replace(/\s+/g, " ");
  return `${set.join("\n")}\n${text};\n`;
}

/** A PG array literal or the text of a value, as a -D variable holds it. */
function variableText(value: unknown): string {
  if (Array.isArray(value)) return `{${value.map((v) => JSON.stringify(String(v))).join(",")}}`;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** The service's statements as one pgbench script, and the -D variables its constant parameters need. */
export function serviceScript(s: ServiceScript): { script: string; variables: Record<string, string> } {
  const variables: Record<string, string> = {};
  const parts = s.statements.map((st, i) => {
    const params = st.values.map((v, n) => {
      const expression = st.expressions[n];
      if (expression !== undefined) return expression;
      if (v === null || v === undefined) return "NULL";
      const name = `s${i}_${n + 1}`;
      variables[name] = variableText(v);
      return typeof v === "string" && v.includes(DIR) ? `replace(:${name}, '${DIR}', :dir)` : `:${name}`;
    });
    const text = pgbenchScript(st.text, [], params).trim();
    return st.gset ? `${text.replace(/;$/, "")}\n\\gset p_` : text;
  });
  return { script: `${s.set.join("\n")}\n${parts.join("\n")}\n`, variables };
}

/** SQL literal for -M simple (pgbench pastes the variable's text into the statement); the raw text for -M prepared. */
const variable = (value: string, mode: PgbenchMode) => (mode === "simple" ? `'${value.replaceAll("'", "''")}'` : value);

async function seed(url: string, directoryId: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`INSERT INTO directories (id, name) VALUES ($1, 'pgbench')`, [directoryId]);
    await seedUsers(c, directoryId, 1, SEED_USERS);
    await c.query(
      `INSERT INTO scim_groups (id, directory_id, display_name, display_name_norm, external_id, resource)
       SELECT md5('group-' || k)::uuid, $1, 'Group ' || k, 'group ' || k, gen_random_uuid()::text, $2::jsonb FROM generate_series(1, $3::int) k`,
      [directoryId, JSON.stringify(entraGroup("seed group")), SEED_GROUPS],
    );
    await c.query("VACUUM ANALYZE");
  } finally {
    await c.end();
  }
}

function field(out: string, re: RegExp): number {
  const m = re.exec(out);
  return m ? Number(m[1]) : Number.NaN;
}

export async function runPgbench(opts: { concurrency: number[]; durationSec: number; only?: string[] }): Promise<PgbenchRow[]> {
  const db = await createBenchDatabase("pgbench");
  const dir = mkdtempSync(`${tmpdir()}/scimbridge-pgbench-`);
  const rows: PgbenchRow[] = [];
  try {
    const directoryId = crypto.randomUUID();
    await seed(db.url, directoryId);
    const u = new URL(db.url);
    const conn = ["-h", u.hostname, "-p", u.port || "5432", "-U", decodeURIComponent(u.username || "postgres")];
    const userRes = JSON.stringify(entraUser("pgbench@bench.example"));
    const groupRes = JSON.stringify(entraGroup("pgbench group"));
    const service = await serviceScripts(SEED_USERS, SEED_GROUPS);
    const jobs = [
      ...SCRIPTS.map((f) => ({
        scenario: f.scenario,
        statements: "floor" as const,
        name: f.sql,
        script: pgbenchScript(FLOOR_SQL[f.sql], f.set, f.params),
        variables: { user_res: userRes, group_res: groupRes },
      })),
      ...service.map((sv, i) => ({ scenario: sv.scenario, statements: "service" as const, name: `service-${i}`, ...serviceScript(sv) })),
    ];
    for (const c of opts.concurrency) {
      for (const s of jobs) {
        if (opts.only && !opts.only.some((o) => s.scenario.includes(o))) continue;
        const file = `${dir}/${s.name}.sql`;
        writeFileSync(file, s.script);
        for (const mode of ["simple", "prepared"] as const) {
          const args = [
            ...conn,
            "-n",
            `-M${mode}`,
            `-c${c}`,
            "-j2",
            `-T${opts.durationSec}`,
            "-D",
            `dir=${variable(directoryId, mode)}`,
            ...Object.entries(s.variables).flatMap(([k, v]) => ["-D", `${k}=${variable(v, mode)}`]),
            "-f",
            file,
            db.name,
          ];
          const cpu = await startBackendCpu(db.name);
          const { stdout } = await run("pgbench", args, {
            env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) },
            maxBuffer: 1 << 24,
          }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
            throw new Error(`pgbench ${s.scenario} (${s.statements}) -M ${mode} failed: ${err.stderr || err.message}\n${file}`);
          });
          const pgCpu = await cpu.stop();
          const transactions = field(stdout, /number of transactions actually processed: (\d+)/);
          rows.push({
            scenario: s.scenario,
            statements: s.statements,
            mode,
            concurrency: c,
            tps: round(field(stdout, /tps = ([\d.]+)/), 0),
            transactions,
            failed: field(stdout, /number of failed transactions: (\d+)/) || 0,
            latencyMs: field(stdout, /latency average = ([\d.]+) ms/),
            pgCpuMsPerTx: round(pgCpu.cpuMs / Math.max(1, transactions), 3),
          });
          process.stderr.write(
            `  pgbench ${s.scenario} (${s.statements}'s statements) -M ${mode} C=${c}: ${rows.at(-1)!.tps} tx/s, pg CPU ${rows.at(-1)!.pgCpuMsPerTx} ms/tx\n`,
          );
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
  return rows;
}

export function pgbenchTps(
  rows: PgbenchRow[],
  scenario: string,
  mode: PgbenchMode,
  concurrency: number,
  statements: PgbenchRow["statements"] = "floor",
): number | undefined {
  return rows.find((r) => r.scenario === scenario && r.mode === mode && r.concurrency === concurrency && r.statements === statements)?.tps;
}

export function pgbenchTable(rows: PgbenchRow[]) {
  return rows.map((r) => ({
    scenario: r.scenario,
    statements: r.statements,
    C: r.concurrency,
    mode: r.mode,
    "tx/s": r.tps,
    "avg latency ms": r.latencyMs,
    transactions: r.transactions,
    failed: r.failed,
    "pg CPU ms/tx": r.pgCpuMsPerTx,
  }));
}

if (isMain(import.meta.url)) {
  const args = benchArgs();
  const info = await runInfo();
  const rows = await runPgbench({ concurrency: args.concurrency, durationSec: args.duration, only: args.only });
  printTable(`Raw limit: pgbench, the floor's and the service's statements (${args.duration} s per row)`, pgbenchTable(rows));
  console.log(`\nwrote ${writeResult("pgbench", info, rows)}`);
}
