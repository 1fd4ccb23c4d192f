import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import pg from "pg";
import { canConnect, freePort, isRoot, PGBOUNCER_BIN, SCALE_OUT_DIR, waitFor } from "./cluster-tools.js";

// PgBouncer as a child process, from docker/scale-out/pgbouncer.ini with this run's port, paths, pool mode and
// Postgres server. As root it runs with `-u postgres` (it refuses root), so its directory is open to that user.

export type PoolMode = "transaction" | "session";

export interface PgBouncer {
  port: number;
  poolMode: PoolMode;
  /** A connection string for `database` through this PgBouncer (user and password of `serverUrl`). */
  url(database: string): string;
  /** `url` (a Postgres connection string) with host and port replaced by this PgBouncer's. */
  urlFor(url: string): string;
  /** Runs a command on PgBouncer's admin console (SHOW STATS, SHOW POOLS, ...). */
  admin<R extends pg.QueryResultRow>(command: string): Promise<R[]>;
  pid(): number;
  /** Immediate shutdown (SIGTERM: client connections are cut), then started again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  log(): string;
}

/** The example's ini with `settings` replaced (keys that are not there are added to [pgbouncer]). */
export function pgbouncerIni(settings: Record<string, string>, databases: string): string {
  let ini = readFileSync(`${SCALE_OUT_DIR}/pgbouncer.ini`, "utf8").replace(/^\* = .*$/m, `* = ${databases}`);
  for (const [key, value] of Object.entries(settings)) {
    const line = new RegExp(`^${key} =.*$`, "m");
    ini = line.test(ini) ? ini.replace(line, `${key} = ${value}`) : `${ini.trimEnd()}\n${key} = ${value}\n`;
  }
  return ini;
}

export async function startPgBouncer(opts: { serverUrl: string; poolMode?: PoolMode; poolSize?: number }): Promise<PgBouncer> {
  if (!PGBOUNCER_BIN) throw new Error("pgbouncer is not installed");
  const server = new URL(opts.serverUrl);
  const poolMode = opts.poolMode ?? "transaction";
  const port = await freePort();
  const dir = mkdtempSync(`${tmpdir()}/scimbridge-pgbouncer-`);
  const user = decodeURIComponent(server.username || "postgres");
  writeFileSync(`${dir}/users.txt`, `"${user}" "${decodeURIComponent(server.password)}"\n`);
  writeFileSync(
    `${dir}/pgbouncer.ini`,
    pgbouncerIni(
      {
        listen_port: String(port),
        auth_file: `${dir}/users.txt`,
        logfile: `${dir}/pgbouncer.log`,
        pidfile: `${dir}/pgbouncer.pid`,
        pool_mode: poolMode,
        admin_users: user,
        ...(opts.poolSize ? { default_pool_size: String(opts.poolSize) } : {}),
      },
      `host=${server.hostname} port=${server.port || 5432}`,
    ),
  );
  if (isRoot()) chmodSync(dir, 0o777);
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const launch = async () => {
    const args = isRoot() ? ["-u", "postgres", `${dir}/pgbouncer.ini`] : [`${dir}/pgbouncer.ini`];
    const c = spawn(PGBOUNCER_BIN!, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    c.stderr!.on("data", (d) => (stderr += d));
    child = c;
    exited = new Promise((resolve) => c.once("exit", () => resolve()));
    await waitFor(`pgbouncer on port ${port}`, 10_000, async () => {
      if (c.exitCode !== null) throw new Error(`pgbouncer exited (${c.exitCode}): ${stderr}${readLog()}`);
      if (!(await canConnect(port))) return false;
      const client = new pg.Client({ connectionString: url("postgres") });
      await client.connect();
      await client.query("SELECT 1").finally(() => client.end());
      return true;
    });
  };
  const readLog = () => {
    try {
      return readFileSync(`${dir}/pgbouncer.log`, "utf8");
    } catch {
      return "";
    }
  };
  const urlFor = (target: string) => {
    const u = new URL(target);
    u.hostname = "127.0.0.1";
    u.port = String(port);
    return u.toString();
  };
  const url = (database: string) => {
    const u = new URL(urlFor(opts.serverUrl));
    u.pathname = `/${database}`;
    return u.toString();
  };
  const admin = async <R extends pg.QueryResultRow>(command: string) => {
    const client = new pg.Client({ connectionString: url("pgbouncer") });
    await client.connect();
    try {
      return (await client.query<R>(command)).rows;
    } finally {
      await client.end();
    }
  };
  const stopChild = async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
  };

  await launch();
  return {
    port,
    poolMode,
    url,
    urlFor,
    admin,
    pid: () => child!.pid!,
    async restart() {
      await stopChild();
      await launch();
    },
    async stop() {
      await stopChild();
      rmSync(dir, { recursive: true, force: true });
    },
    log: readLog,
  };
}
