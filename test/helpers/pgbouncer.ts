import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "./server-process.js";

// A real PgBouncer in transaction mode on a free loopback port, started from a generated ini in a temp dir
// (no daemon, no systemd), in front of the test run's Postgres server.

export interface PgBouncer {
  /** `serverUrl` with host and port replaced by PgBouncer's. */
  urlFor(serverUrl: string): string;
  /** Runs a statement on PgBouncer's admin console (SHOW STATS, SHOW POOLS, ...). */
  admin<R extends pg.QueryResultRow>(command: string): Promise<R[]>;
  output(): string;
  stop(): Promise<void>;
}

/** The pgbouncer program, or undefined when it is not installed. */
export function pgbouncerPath(): string | undefined {
  for (const candidate of ["pgbouncer", "/usr/sbin/pgbouncer", "/usr/local/sbin/pgbouncer"]) {
    try {
      execFileSync(candidate, ["--version"], { stdio: "ignore" });
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

export async function startPgBouncer(program: string, serverUrl: string): Promise<PgBouncer> {
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username || "postgres");
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), "scimbridge-pgbouncer-"));
  await chmod(dir, 0o755);
  // auth_type=trust: clients are not asked for a password; PgBouncer logs in to Postgres with this one (if any)
  const password = decodeURIComponent(server.password);
  await writeFile(path.join(dir, "userlist.txt"), `"${user}" "${password}"\n`, { mode: 0o644 });
  const ini = [
    "[databases]",
    `* = host=${server.hostname} port=${server.port || "5432"}`,
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${port}`,
    "unix_socket_dir =",
    "auth_type = trust",
    `auth_file = ${path.join(dir, "userlist.txt")}`,
    "pool_mode = transaction",
    "default_pool_size = 10",
    "max_client_conn = 200",
    `admin_users = ${user}`,
  ].join("\n");
  await writeFile(path.join(dir, "pgbouncer.ini"), `${ini}\n`, { mode: 0o644 });
  // PgBouncer refuses to run as root
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const child: ChildProcess = spawn(program, [path.join(dir, "pgbouncer.ini")], { ...asNobody, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const urlFor = (url: string) => {
    const u = new URL(url);
    u.hostname = "127.0.0.1";
    u.port = String(port);
    return u.toString();
  };
  const admin = async <R extends pg.QueryResultRow>(command: string) => {
    const u = new URL(urlFor(serverUrl));
    u.pathname = "/pgbouncer";
    const c = new pg.Client({ connectionString: u.toString() });
    await c.connect();
    try {
      return (await c.query<R>(command)).rows;
    } finally {
      await c.end();
    }
  };
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited:\n${out}`);
    try {
      await admin("SHOW VERSION");
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`pgbouncer not accepting connections within 10 s (${(err as Error).message}):\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { urlFor, admin, output: () => out, stop };
}
