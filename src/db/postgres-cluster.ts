import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, openSync, closeSync } from "node:fs";
import { chown, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import type { PostgresBinaries } from "./postgres-binaries.js";
import type { PostgresUser } from "./postgres-as-root.js";

// One PostgreSQL cluster run from its server programs: initdb, start on a loopback port, stop, and
// recovery of a postmaster left behind by a killed owner.

export interface ClusterOptions {
  binaries: PostgresBinaries;
  clusterDir: string;
  password: string;
  /** The postgres server's own output (start-up, shutdown, errors), appended. */
  logFile: string;
  /** Set when running as root: PostgreSQL then runs as this user. */
  user: PostgresUser | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function tail(file: string): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.trim().split("\n").slice(-5).join("\n");
}

function asUser(user: PostgresUser | undefined) {
  // cwd "/": the caller's folder may be one the postgres user cannot enter
  return user ? { uid: user.uid, gid: user.gid, cwd: "/" } : {};
}

export function initialised(clusterDir: string): boolean {
  return existsSync(path.join(clusterDir, "PG_VERSION"));
}

export async function initdb(options: ClusterOptions): Promise<void> {
  const { clusterDir, user } = options;
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  if (user) await chown(clusterDir, user.uid, user.gid);
  // the password file sits next to the cluster, where its (possibly postgres) user can read it
  const pwfile = path.join(path.dirname(clusterDir), `.pg-init-${process.pid}`);
  await writeFile(pwfile, `${options.password}\n`, { mode: 0o600 });
  if (user) await chown(pwfile, user.uid, user.gid);
  try {
    const args = [
      `--pgdata=${clusterDir}`,
      "--auth=scram-sha-256",
      "--username=postgres",
      `--pwfile=${pwfile}`,
      "--encoding=UTF8",
      "--locale-provider=builtin",
      "--locale=C.UTF-8",
    ];
    const out = openSync(options.logFile, "a", 0o600);
    try {
      const child = spawn(options.binaries.initdb, args, {
        ...asUser(user),
        stdio: ["ignore", out, out],
        env: { ...process.env, LC_ALL: "C" },
      });
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once("error", reject);
        child.once("exit", resolve);
      });
      if (code !== 0) throw new Error(`initdb failed (exit ${code}):\n${await tail(options.logFile)}`);
    } finally {
      closeSync(out);
    }
  } finally {
    await rm(pwfile, { force: true });
  }
}

/**
 * A postmaster whose owner died (kill -9 of the server) still holds the cluster: stop it. A postmaster.pid
 * naming a live process that is not this cluster's postgres (the pid was reused) is stale: remove it.
 */
export async function recoverOrphan(clusterDir: string): Promise<void> {
  const pidFile = path.join(clusterDir, "postmaster.pid");
  const lines = (await readFile(pidFile, "utf8").catch(() => "")).split("\n");
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => undefined);
  if (cmdline !== undefined && !cmdline.includes("postgres")) {
    await rm(pidFile, { force: true });
    return;
  }
  process.kill(pid, "SIGINT"); // fast shutdown: roll back open transactions, checkpoint, exit
  for (let i = 0; i < 300 && alive(pid); i++) await sleep(100);
  if (alive(pid)) process.kill(pid, "SIGQUIT");
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
}

export interface RunningCluster {
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts postgres on 127.0.0.1:port (no Unix socket) and resolves once it accepts connections. */
export async function startCluster(options: ClusterOptions, port: number): Promise<RunningCluster> {
  const out = openSync(options.logFile, "a", 0o600);
  // its own process group: a Ctrl-C in the terminal reaches scimbridge, which stops postgres after draining
  const child = spawn(options.binaries.postgres, ["-D", options.clusterDir, "-p", String(port), "-h", "127.0.0.1", "-k", ""], {
    ...asUser(options.user),
    stdio: ["ignore", out, out],
    detached: true,
    env: { ...process.env, LC_ALL: "C" },
  });
  closeSync(out);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      resolve();
    });
    child.once("error", () => {
      exited = true;
      resolve();
    });
  });
  const stop = async () => {
    if (!exited) child.kill("SIGINT");
    await exit;
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`embedded PostgreSQL exited during start-up:\n${await tail(options.logFile)}`);
    if (await accepts(port, options.password)) return { process: child, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`embedded PostgreSQL did not accept connections within 60 s:\n${await tail(options.logFile)}`);
    }
    await sleep(100);
  }
}

export async function accepts(port: number, password: string): Promise<boolean> {
  const client = new pg.Client({
    host: "127.0.0.1",
    port,
    user: "postgres",
    password,
    database: "postgres",
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
