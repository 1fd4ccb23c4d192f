import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, cp, lstat, mkdir, readlink, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { binariesIn, type PostgresBinaries } from "./postgres-binaries.js";

// PostgreSQL refuses to run as root, so a root process runs it as the "postgres" user. That user must be
// able to execute the server programs and enter the cluster folder: a clone under /root or a 0700 mktemp
// folder allows neither. Then the programs are copied, and the cluster is kept, under rootDir
// (EMBEDDED_POSTGRES_ROOT_DIR, default /var/lib/scimbridge), with DATA_DIR/pg a symlink to the cluster.

const run = promisify(execFile);

export interface PostgresUser {
  uid: number;
  gid: number;
}

export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

async function idOf(flag: "-u" | "-g"): Promise<number> {
  return Number((await run("id", [flag, "postgres"])).stdout.trim());
}

/** The "postgres" user, created (as a system user with its own group) when missing. */
export async function postgresUser(): Promise<PostgresUser> {
  try {
    return { uid: await idOf("-u"), gid: await idOf("-g") };
  } catch {
    try {
      await run("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"]);
    } catch (err) {
      throw new Error(`running as root needs a "postgres" user to run PostgreSQL, and it could not be created: ${(err as Error).message}`);
    }
    return { uid: await idOf("-u"), gid: await idOf("-g") };
  }
}

/** Whether `user` can search every folder from / down to `target` (owner, group and other bits; no ACLs). */
export async function reachable(target: string, user: PostgresUser): Promise<boolean> {
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    const st = await stat(dir).catch(() => undefined);
    if (st) {
      const bit = st.uid === user.uid ? 0o100 : st.gid === user.gid ? 0o010 : 0o001;
      if (!(st.mode & bit)) return false;
    }
    if (path.dirname(dir) === dir) return true;
  }
}

async function sharedDir(rootDir: string): Promise<string> {
  await mkdir(rootDir, { recursive: true, mode: 0o755 });
  await chmod(rootDir, 0o755);
  return rootDir;
}

/** The server programs where `user` can execute them: in place when it can, else a copy under rootDir. */
export async function runnableBinaries(binaries: PostgresBinaries, user: PostgresUser, rootDir: string): Promise<PostgresBinaries> {
  if (await reachable(path.join(binaries.dir, "bin"), user)) return binaries;
  const source = await stat(binaries.postgres);
  const key = createHash("sha256").update(`${binaries.dir}\n${source.size}\n${source.mtimeMs}`).digest("hex").slice(0, 12);
  const copy = path.join(await sharedDir(rootDir), `postgres-${key}`);
  if (!existsSync(path.join(copy, ".complete"))) {
    const staging = `${copy}.${process.pid}.tmp`;
    await rm(staging, { recursive: true, force: true });
    await cp(binaries.dir, staging, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    await chmod(staging, 0o755);
    await writeFile(path.join(staging, ".complete"), "");
    await rm(copy, { recursive: true, force: true });
    await rename(staging, copy);
  }
  return binariesIn(copy);
}

/**
 * The cluster folder for dataDir: dataDir/pg (or where that symlink points) when `user` can reach it,
 * else a folder under rootDir/clusters named for dataDir, linked from dataDir/pg.
 */
export async function reachableClusterDir(dataDir: string, user: PostgresUser, rootDir: string): Promise<string> {
  const link = path.join(dataDir, "pg");
  const existing = await lstat(link).catch(() => undefined);
  if (existing?.isSymbolicLink()) return path.resolve(dataDir, await readlink(link));
  if (await reachable(dataDir, user)) return link;
  if (existing) {
    throw new Error(
      `the postgres user cannot enter ${dataDir}, which holds the embedded cluster: move DATA_DIR somewhere it can (e.g. /var/lib/scimbridge)`,
    );
  }
  const clusters = path.join(await sharedDir(rootDir), "clusters");
  await mkdir(clusters, { recursive: true, mode: 0o755 });
  const cluster = path.join(clusters, createHash("sha256").update(path.resolve(dataDir)).digest("hex").slice(0, 16));
  await mkdir(cluster, { recursive: true, mode: 0o700 });
  await chown(cluster, user.uid, user.gid);
  await symlink(cluster, link);
  return cluster;
}
