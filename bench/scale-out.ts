import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type Cluster, createClusterDirectory, type Pooling, startCluster } from "../test/scale/cluster.js";
import { missingTools } from "../test/scale/cluster-tools.js";
import { newSyncLog, type SyncShape, syncTenants } from "../test/scale/entra-sync.js";
import { startBackendCpu } from "./lib/backend-cpu.js";
import { SERVER_URL } from "./lib/bench-database.js";
import { isMain } from "./lib/args.js";
import { LatencyRecorder, type LatencySummary, round } from "./lib/latency.js";
import { cpuMsOf, statusKb } from "./lib/proc.js";
import { printTable, runInfo, writeResult } from "./lib/report.js";

// Issue 14: Entra's initial sync for N tenants (one request in flight per tenant, as Entra sends) through HAProxy
// to 1 or 3 replicas of the built service, with the database reached directly or through PgBouncer in transaction
// or session mode (the set-up of docker/scale-out/, started by test/scale/cluster.ts). Reports throughput,
// latency, CPU per request of the replicas, the Postgres backends, PgBouncer and HAProxy (from /proc), and each
// replica's peak RSS. The faults and correctness checks are in `npm run test:scale`; this measures the cost.

export interface ScaleRow {
  replicas: number;
  pooling: Pooling;
  requests: number;
  wallSec: number;
  rps: number;
  latencyMs: LatencySummary;
  cpuMsPerRequest: { service: number; postgres: number; pgbouncer: number; haproxy: number; total: number };
  peakRssMbPerReplica: number[];
  failures: number;
}

function cpuOf(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0);
}

/** A short sync on directories of its own first, so the replicas' JIT warm-up is not measured. */
async function warmUp(cluster: Cluster): Promise<void> {
  const dirs = [];
  for (let t = 0; t < 4; t++) dirs.push(await createClusterDirectory(cluster, cluster.haproxy.url, `Warm-up ${t}`));
  const log = newSyncLog();
  const tenants = dirs.map((d, index) => ({ index: 1000 + index, directoryId: d.id, scimPath: d.scimPath, token: d.token }));
  await syncTenants(cluster.haproxy.url, tenants, { users: 20, groups: 2, membersPerGroup: 10, memberBatch: 5 }, log);
  if (log.failures.length) throw new Error(`warm-up failed: ${log.failures[0]}`);
}

async function measure(cluster: Cluster, pooling: Pooling, tenants: number, shape: SyncShape): Promise<ScaleRow> {
  await warmUp(cluster);
  const dirs = [];
  for (let t = 0; t < tenants; t++) dirs.push(await createClusterDirectory(cluster, cluster.haproxy.url, `Bench tenant ${t}`));
  const replicaPids = cluster.replicas.map((r) => r.pid());
  for (const pid of replicaPids) writeFileSync(`/proc/${pid}/clear_refs`, "5"); // peak RSS from here on
  const latency = new LatencyRecorder();
  const log = newSyncLog((ms) => latency.record(ms));
  const backends = await startBackendCpu(cluster.databaseName);
  const service0 = cpuOf(replicaPids);
  const pgbouncer0 = cluster.pgbouncer ? cpuMsOf(cluster.pgbouncer.pid()) : 0;
  const haproxy0 = cpuMsOf(cluster.haproxy.pid);
  const t0 = performance.now();
  await syncTenants(
    cluster.haproxy.url,
    dirs.map((d, index) => ({ index, directoryId: d.id, scimPath: d.scimPath, token: d.token })),
    shape,
    log,
  );
  const wallSec = (performance.now() - t0) / 1000;
  const service = cpuOf(replicaPids) - service0;
  const pgbouncer = cluster.pgbouncer ? cpuMsOf(cluster.pgbouncer.pid()) - pgbouncer0 : 0;
  const haproxy = cpuMsOf(cluster.haproxy.pid) - haproxy0;
  const postgres = (await backends.stop()).cpuMs;
  const per = (ms: number) => round(ms / Math.max(1, log.attempts), 2);
  if (log.failures.length) process.stderr.write(`  failures: ${log.failures.slice(0, 3).join("; ")}\n`);
  return {
    replicas: cluster.replicas.length,
    pooling,
    requests: log.attempts,
    wallSec: round(wallSec, 1),
    rps: round(log.attempts / wallSec, 0),
    latencyMs: latency.summary(),
    cpuMsPerRequest: {
      service: per(service),
      postgres: per(postgres),
      pgbouncer: per(pgbouncer),
      haproxy: per(haproxy),
      total: per(service + postgres + pgbouncer + haproxy),
    },
    peakRssMbPerReplica: replicaPids.map((pid) => Math.round(statusKb(pid, "VmHWM") / 1024)),
    failures: log.failures.length,
  };
}

export async function runScaleOut(opts: {
  replicas: number[];
  pooling: Pooling[];
  tenants: number;
  shape: SyncShape;
}): Promise<ScaleRow[]> {
  const rows: ScaleRow[] = [];
  for (const replicas of opts.replicas) {
    for (const pooling of opts.pooling) {
      const cluster = await startCluster({
        serverUrl: SERVER_URL,
        replicas,
        pooling,
        // the service's default log level (info) unless BENCH_LOG_LEVEL says otherwise
        env: process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {},
      });
      try {
        const row = await measure(cluster, pooling, opts.tenants, opts.shape);
        process.stderr.write(`  ${replicas} replica(s), ${pooling}: ${row.requests} requests in ${row.wallSec} s\n`);
        rows.push(row);
      } finally {
        await cluster.stop();
      }
    }
  }
  return rows;
}

export function scaleTable(rows: ScaleRow[]) {
  return rows.map((r) => ({
    replicas: r.replicas,
    database: r.pooling === "direct" ? "direct" : `PgBouncer ${r.pooling}`,
    requests: r.requests,
    "req/s": r.rps,
    "p50 ms": r.latencyMs.p50,
    "p99 ms": r.latencyMs.p99,
    "CPU ms/req service": r.cpuMsPerRequest.service,
    Postgres: r.cpuMsPerRequest.postgres,
    PgBouncer: r.cpuMsPerRequest.pgbouncer,
    HAProxy: r.cpuMsPerRequest.haproxy,
    total: r.cpuMsPerRequest.total,
    "peak RSS MB/replica": r.peakRssMbPerReplica.join(", "),
    failures: r.failures,
  }));
}

if (isMain(import.meta.url)) {
  const missing = missingTools();
  if (missing) {
    console.error(`bench:scale needs haproxy and pgbouncer: ${missing}`);
    process.exit(1);
  }
  const { values } = parseArgs({
    options: {
      replicas: { type: "string", default: "1,3" },
      pooling: { type: "string", default: "direct,transaction,session" },
      tenants: { type: "string", default: "20" },
      users: { type: "string", default: "60" },
      groups: { type: "string", default: "3" },
      members: { type: "string", default: "20" },
      batch: { type: "string", default: "5" },
    },
    strict: true,
  });
  const opts = {
    replicas: values.replicas.split(",").map(Number),
    pooling: values.pooling.split(",") as Pooling[],
    tenants: Number(values.tenants),
    shape: {
      users: Number(values.users),
      groups: Number(values.groups),
      membersPerGroup: Number(values.members),
      memberBatch: Number(values.batch),
    },
  };
  const info = await runInfo();
  const rows = await runScaleOut(opts);
  printTable(
    `Scale-out: Entra initial sync for ${opts.tenants} tenants through HAProxy (per tenant ${opts.shape.users} users, ${opts.shape.groups} groups × ${opts.shape.membersPerGroup} members in PATCH batches of ${opts.shape.memberBatch}; one request in flight per tenant)`,
    scaleTable(rows),
  );
  console.log(`\nwrote ${writeResult("scale-out", info, { options: opts, rows })}`);
}
