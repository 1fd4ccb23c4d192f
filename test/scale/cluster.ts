import { randomBytes } from "node:crypto";
import pg from "pg";
import { type HaProxy, startHaProxy } from "./haproxy.js";
import { type PgBouncer, type PoolMode, startPgBouncer } from "./pgbouncer.js";
import { createReplica, type Replica } from "./replicas.js";
import { buildOnce, freePort } from "./cluster-tools.js";

// A scale-out deployment on loopback: a throwaway database on the Postgres server, optionally PgBouncer in front of
// it, N replicas of the built service, and HAProxy in front of them (docker/scale-out/ is the same set-up in compose).

export type Pooling = "direct" | PoolMode;

export interface ClusterOptions {
  /** A Postgres server URL (any database; the cluster creates its own). */
  serverUrl: string;
  replicas: number;
  /** "direct": DATABASE_URL is Postgres itself; otherwise PgBouncer in that pool mode. */
  pooling: Pooling;
  /** Extra environment for every replica. */
  env?: Record<string, string>;
}

export interface Cluster {
  databaseName: string;
  /** Direct connection string of the cluster's database. */
  databaseUrl: string;
  pgbouncer?: PgBouncer;
  haproxy: HaProxy;
  replicas: Replica[];
  adminKey: string;
  /** The environment every replica runs with (besides PORT, DATA_DIR). */
  replicaEnv: Record<string, string>;
  /** Admin API call at `baseUrl` (HAProxy's or a replica's); throws on a non-2xx answer. */
  admin<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

async function onServer<T>(serverUrl: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

export function databaseOn(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  buildOnce();
  const databaseName = `sb_scale_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  await onServer(opts.serverUrl, (c) => c.query(`CREATE DATABASE ${databaseName}`));
  const databaseUrl = databaseOn(opts.serverUrl, databaseName);
  const adminKey = `scale-admin-${randomBytes(12).toString("hex")}`;
  let pgbouncer: PgBouncer | undefined;
  let haproxy: HaProxy | undefined;
  const replicas: Replica[] = [];
  const stop = async () => {
    await Promise.all(replicas.map((r) => r.stop("SIGKILL")));
    for (const r of replicas) r.remove();
    await haproxy?.stop();
    await pgbouncer?.stop();
    await onServer(opts.serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`));
  };
  try {
    // session pooling pins a server connection to each client connection: room for every replica's whole pool
    const poolSize = opts.pooling === "session" ? opts.replicas * Number(opts.env?.DB_POOL_SIZE ?? 20) + 10 : undefined;
    if (opts.pooling !== "direct") pgbouncer = await startPgBouncer({ serverUrl: opts.serverUrl, poolMode: opts.pooling, poolSize });
    const ports = await Promise.all(Array.from({ length: opts.replicas }, () => freePort()));
    haproxy = await startHaProxy(ports);
    const replicaEnv: Record<string, string> = {
      DATABASE_URL: pgbouncer ? pgbouncer.url(databaseName) : databaseUrl,
      DATABASE_DIRECT_URL: databaseUrl,
      // PgBouncer 1.18 in transaction mode: no protocol-level prepared statements
      ...(opts.pooling === "transaction" ? { DB_PREPARED_STATEMENTS: "false" } : {}),
      PUBLIC_URL: haproxy.url,
      ADMIN_API_KEY: adminKey,
      SECRETS_KEY: randomBytes(32).toString("base64"),
      WEBHOOK_ALLOW_PRIVATE_TARGETS: "true",
      ADMIN_RATE_LIMIT_PER_MINUTE: "1000000",
      AUTH_FAILURE_LIMIT_PER_MINUTE: "100000",
      ...opts.env,
    };
    for (let i = 0; i < opts.replicas; i++) {
      replicas.push(await createReplica({ name: `replica${i + 1}`, port: ports[i], env: replicaEnv }));
    }
    // all at once, as an orchestrator starts them: the migration lock lets one migrate while the others wait
    await Promise.all(replicas.map((r) => r.start()));
    for (let i = 0; i < replicas.length; i++) await haproxy.waitForState(i + 1, "UP");

    return {
      databaseName,
      databaseUrl,
      pgbouncer,
      haproxy,
      replicas,
      adminKey,
      replicaEnv,
      async admin<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
        const send = () =>
          fetch(`${baseUrl}/api/v1${path}`, {
            method,
            headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
        // once more on a connection closed under the request (a kept-alive connection HAProxy had just closed)
        const r = await send().catch(() => new Promise((resolve) => setTimeout(resolve, 100)).then(send));
        const text = await r.text();
        if (r.status >= 300) throw new Error(`admin ${method} ${path} at ${baseUrl} → ${r.status}: ${text}`);
        return (text ? JSON.parse(text) : undefined) as T;
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

export interface ClusterDirectory {
  id: string;
  scimPath: string;
  token: string;
  webhookSecret?: string;
}

/** Creates a directory (Entra) through `baseUrl`, with a webhook endpoint when `webhookUrl` is given. */
export async function createClusterDirectory(
  cluster: Cluster,
  baseUrl: string,
  name: string,
  webhookUrl?: string,
): Promise<ClusterDirectory> {
  const created = await cluster.admin<{ id: string; scim: { tenantUrl: string; secretToken: string }; webhook: { secret: string } | null }>(
    baseUrl,
    "POST",
    "/directories",
    { name, provider: "entra", ...(webhookUrl ? { webhook: { url: webhookUrl } } : {}) },
  );
  return {
    id: created.id,
    scimPath: new URL(created.scim.tenantUrl).pathname,
    token: created.scim.secretToken,
    webhookSecret: created.webhook?.secret,
  };
}
