import pg from "pg";
import { startBackendCpu } from "./lib/backend-cpu.js";
import { benchArgs, isMain } from "./lib/args.js";
import { createBenchDatabase, SERVER_URL } from "./lib/bench-database.js";
import { entraUser } from "./lib/entra-bodies.js";
import { runHttp } from "./lib/http-load.js";
import { round } from "./lib/latency.js";
import { printTable, runInfo, writeResult } from "./lib/report.js";
import { createDirectory, startService } from "./lib/service.js";

// Entra re-provisioning a user that already exists: POST /Users with a taken userName, answered 409
// uniqueness. Every one is a statement the database refuses; what that costs the service and Postgres, and
// how many new Postgres sessions the burst opens (pg_stat_database.sessions: a pool that closes the
// connection on any query error opens one per 409).

interface ConflictRow {
  concurrency: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  statusCounts: Record<string, number>;
  svcCpuMsPerRequest: number;
  pgCpuMsPerRequest: number;
  sessionsOpened: number;
}

async function sessions(admin: pg.Client, database: string): Promise<number> {
  const r = await admin.query<{ n: string }>("SELECT sessions AS n FROM pg_stat_database WHERE datname = $1", [database]);
  return Number(r.rows[0]?.n ?? 0);
}

export async function runConflicts(opts: { concurrency: number[]; durationSec: number; dist: boolean }): Promise<ConflictRow[]> {
  const db = await createBenchDatabase("conflicts");
  const service = await startService({ databaseUrl: db.url, dist: opts.dist });
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  const rows: ConflictRow[] = [];
  try {
    const dir = await createDirectory(service, "conflict bench");
    const prefix = new URL(dir.tenantUrl).pathname;
    const headers = { authorization: `Bearer ${dir.token}`, "content-type": "application/scim+json" };
    const body = entraUser("taken@bench.example");
    const first = await fetch(`${service.url}${prefix}/Users`, { method: "POST", headers, body: JSON.stringify(body) });
    if (first.status !== 201) throw new Error(`first POST /Users: ${first.status} ${await first.text()}`);
    const scenario = {
      name: "POST /Users, userName taken (409)",
      headers,
      next: () => ({ method: "POST", path: `${prefix}/Users`, body }),
    };
    for (const c of opts.concurrency) {
      await service.settle();
      let cpuStart = 0;
      let sessionsStart = 0;
      let backends: Awaited<ReturnType<typeof startBackendCpu>> | undefined;
      const result = await runHttp(service.url, scenario, c, opts.durationSec, 1, async () => {
        backends = await startBackendCpu(db.name);
        sessionsStart = await sessions(admin, db.name);
        cpuStart = service.cpuMs();
      });
      const cpuMs = service.cpuMs() - cpuStart;
      const pgCpu = await backends!.stop();
      // backends flush their statistics at most once a second when idle
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const n = Math.max(1, result.requests);
      rows.push({
        concurrency: c,
        requests: result.requests,
        rps: result.rps,
        p50: result.latencyMs.p50,
        p99: result.latencyMs.p99,
        statusCounts: result.statusCounts,
        svcCpuMsPerRequest: round(cpuMs / n, 3),
        pgCpuMsPerRequest: round(pgCpu.cpuMs / n, 3),
        sessionsOpened: (await sessions(admin, db.name)) - sessionsStart,
      });
    }
  } finally {
    await admin.end();
    await service.stop();
    await db.drop();
  }
  return rows;
}

if (isMain(import.meta.url)) {
  const args = benchArgs();
  const info = await runInfo();
  const rows = await runConflicts({ concurrency: args.concurrency, durationSec: args.duration, dist: args.dist });
  printTable(
    `POST /Users with a taken userName (${info.date}, commit ${info.commit}, load ${info.loadAverage.join(" ")})`,
    rows.map((r) => ({
      C: r.concurrency,
      requests: r.requests,
      "req/s": r.rps,
      "p50 ms": r.p50,
      "p99 ms": r.p99,
      statuses: Object.entries(r.statusCounts)
        .map(([s, k]) => `${s}×${k}`)
        .join(" "),
      "svc CPU ms/req": r.svcCpuMsPerRequest,
      "pg CPU ms/req": r.pgCpuMsPerRequest,
      "sessions opened": r.sessionsOpened,
    })),
  );
  writeResult("conflicts", info, rows);
}
