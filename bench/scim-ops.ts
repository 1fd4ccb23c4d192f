import { randomUUID } from "node:crypto";
import pg from "pg";
import { type BackendCpuPhase, startBackendCpu } from "./lib/backend-cpu.js";
import { type BenchArgs, benchArgs, isMain } from "./lib/args.js";
import { createBenchDatabase } from "./lib/bench-database.js";
import { entraActivePatch, entraAddMembers, entraGroup, entraUser } from "./lib/entra-bodies.js";
import { type HttpResult, type HttpScenario, runHttp } from "./lib/http-load.js";
import { round } from "./lib/latency.js";
import { printTable, runInfo, writeResult } from "./lib/report.js";
import { SEEDED_DIRECTORY_USERS, seedUsers } from "./lib/seed-users.js";
import { createDirectory, type ServerProcess, type Service, startFloor, startService } from "./lib/service.js";
import { type RawRow, rawRate, rawTable, runRawPostgres } from "./raw-postgres.js";

// SCIM operation throughput and latency against the real service, at each concurrency: POST /Users
// (unique userNames), GET filter userName eq, GET by id, PATCH (Entra disable/enable), PUT, GET list
// count=100 (over a seeded directory of 10,000 users), POST /Groups, PATCH /Groups adding one member.
// Against the service or the floor server (bench/floor-server.ts), with CPU per request of the server
// process and of the Postgres backends of its database.

/**
 * What answers the requests: the service (default settings, or with DB_PREPARED_STATEMENTS=false), or the
 * floor server with or without prepared statements.
 */
export type ScimTarget = "service" | "service-unprepared" | "floor" | "floor-unprepared";

export interface ScimOpsRow extends HttpResult {
  target: ScimTarget;
  peakRssMb: number;
  /** Server process CPU time (user + system) per request: steadier than req/s on a shared machine. */
  cpuMsPerRequest: number;
  /** CPU time of the Postgres backends of the bench database per request. */
  pgCpuMsPerRequest: number;
  /** Both: what one request costs this machine. */
  totalCpuMsPerRequest: number;
  backends: number;
}

export interface ScimOpsReport {
  target: ScimTarget;
  startupMs: number;
  idleRssMb: number;
  rows: ScimOpsRow[];
}

interface UserRef {
  id: string;
  userName: string;
  externalId: string;
}

/** A directory to send requests to: through the admin API for the service, a row for the floor (no auth). */
async function benchDirectory(
  server: ServerProcess,
  reader: pg.Client,
  name: string,
): Promise<{ id: string; prefix: string; token: string }> {
  if ("admin" in server) {
    const dir = await createDirectory(server as Service, name);
    return { id: dir.id, prefix: new URL(dir.tenantUrl).pathname, token: dir.token };
  }
  const id = randomUUID();
  await reader.query(`INSERT INTO directories (id, name) VALUES ($1, $2)`, [id, name]);
  return { id, prefix: `/scim/v2/${id}`, token: "floor-ignores-it" };
}

export async function runScimOps(args: BenchArgs, target: ScimTarget = "service"): Promise<ScimOpsReport> {
  const db = await createBenchDatabase(target.replace("-", "_"));
  const service: ServerProcess =
    target === "service" || target === "service-unprepared"
      ? await startService({
          databaseUrl: db.url,
          dist: args.dist,
          cpuProfDir: args.cpuProf,
          env: target === "service-unprepared" ? { DB_PREPARED_STATEMENTS: "false" } : {},
        })
      : await startFloor({ databaseUrl: db.url, prepared: target === "floor" });
  const reader = new pg.Client({ connectionString: db.url });
  await reader.connect();
  const rows: ScimOpsRow[] = [];
  const idleRssMb = service.memory().rssMb;
  try {
    const dir = await benchDirectory(service, reader, "scim ops bench");
    const prefix = dir.prefix;
    const headers = { authorization: `Bearer ${dir.token}`, "content-type": "application/scim+json" };
    // the list is read from a directory of a fixed size (the one pgbench reads), not one that grows with POST /Users
    const listDir = await benchDirectory(service, reader, "list bench");
    await seedUsers(reader, listDir.id, 1, SEEDED_DIRECTORY_USERS);
    await reader.query("VACUUM ANALYZE scim_users");
    const listHeaders = { ...headers, authorization: `Bearer ${listDir.token}` };
    const users = async (): Promise<UserRef[]> =>
      (
        await reader.query<UserRef>(
          `SELECT id, user_name AS "userName", external_id AS "externalId" FROM scim_users WHERE directory_id = $1`,
          [dir.id],
        )
      ).rows;
    const groups = async (): Promise<string[]> =>
      (await reader.query<{ id: string }>(`SELECT id FROM scim_groups WHERE directory_id = $1`, [dir.id])).rows.map((r) => r.id);

    let userSeq = 0;
    let groupSeq = 0;
    let pool: UserRef[] = [];
    let groupIds: string[] = [];
    let i = 0;
    const pick = <T>(list: T[]) => {
      i = (i + 7919) % list.length;
      return list[i]!;
    };
    const activeState = new Map<string, boolean>();
    const version = new Map<string, number>();
    const nextMember = new Map<string, number>();
    let g = 0;

    // the floor does the seven scenarios of issue 11 (not PUT)
    const scenarios: { name: string; serviceOnly?: boolean; before?: () => Promise<void>; scenario: HttpScenario }[] = [
      {
        name: "POST /Users",
        scenario: {
          name: "POST /Users",
          headers,
          next: () => ({ method: "POST", path: `${prefix}/Users`, body: entraUser(`user${++userSeq}@bench.example`) }),
        },
      },
      {
        name: "GET /Users?filter=userName eq",
        before: async () => {
          pool = await users();
        },
        scenario: {
          name: "GET /Users?filter=userName eq",
          headers,
          next: () => ({ method: "GET", path: `${prefix}/Users?filter=${encodeURIComponent(`userName eq "${pick(pool).userName}"`)}` }),
        },
      },
      {
        name: "GET /Users/{id}",
        scenario: { name: "GET /Users/{id}", headers, next: () => ({ method: "GET", path: `${prefix}/Users/${pick(pool).id}` }) },
      },
      {
        name: "PATCH /Users (Entra disable)",
        scenario: {
          name: "PATCH /Users (Entra disable)",
          headers,
          next: () => {
            // alternate disable/enable per user so every request is a real change
            const u = pick(pool);
            const active = !(activeState.get(u.id) ?? true);
            activeState.set(u.id, active);
            return { method: "PATCH", path: `${prefix}/Users/${u.id}`, body: entraActivePatch(active) };
          },
        },
      },
      {
        name: "PUT /Users",
        serviceOnly: true,
        scenario: {
          name: "PUT /Users",
          headers,
          next: () => {
            const u = pick(pool);
            const v = (version.get(u.id) ?? 0) + 1;
            version.set(u.id, v);
            return {
              method: "PUT",
              path: `${prefix}/Users/${u.id}`,
              body: entraUser(u.userName, u.externalId, `User ${u.userName} v${v}`),
            };
          },
        },
      },
      {
        name: "GET /Users count=100",
        scenario: {
          name: "GET /Users count=100",
          headers: listHeaders,
          ignoreBodies: true,
          next: () => ({ method: "GET", path: `${listDir.prefix}/Users?startIndex=1&count=100` }),
        },
      },
      {
        name: "POST /Groups",
        scenario: {
          name: "POST /Groups",
          headers,
          next: () => ({ method: "POST", path: `${prefix}/Groups`, body: entraGroup(`Bench group ${++groupSeq}`) }),
        },
      },
      {
        name: "PATCH /Groups add 1 member",
        before: async () => {
          groupIds = await groups();
        },
        scenario: {
          name: "PATCH /Groups add 1 member",
          headers,
          next: () => {
            // each group takes the users in order, so every request adds a new member
            g = (g + 1) % groupIds.length;
            const groupId = groupIds[g]!;
            const k = nextMember.get(groupId) ?? 0;
            nextMember.set(groupId, k + 1);
            return { method: "PATCH", path: `${prefix}/Groups/${groupId}`, body: entraAddMembers([pool[k % pool.length]!.id]) };
          },
        },
      },
    ];

    // a first pass over every scenario, measured by nothing: a freshly started process runs each code path
    // cold (JIT, lazy initialisation), which a 1 s warm-up per scenario does not cover
    const passes = [{ c: args.concurrency[0]!, warmUp: true }, ...args.concurrency.map((c) => ({ c, warmUp: false }))];
    for (const { c, warmUp } of passes) {
      for (const s of scenarios) {
        if (args.only && !args.only.some((o) => s.name.includes(o))) continue;
        if (s.serviceOnly && target !== "service") continue;
        await s.before?.();
        if (s.name !== "POST /Users" && s.name !== "POST /Groups" && pool.length === 0) pool = await users();
        if (warmUp) {
          await runHttp(service.url, s.scenario, c, 2, 0);
          continue;
        }
        // fresh planner statistics: a directory that grew since the last ANALYZE can flip the userName lookup
        // to an O(directory) scan of (directory_id, created_at, id) (see bench/README.md); measured apart
        await reader.query("ANALYZE scim_users, scim_groups, group_members");
        await service.settle();
        service.resetPeak();
        let cpuStart = 0;
        let backends: BackendCpuPhase | undefined;
        const result = await runHttp(service.url, s.scenario, c, args.duration, 1, async () => {
          backends = await startBackendCpu(db.name, [(reader as unknown as { processID: number }).processID]);
          cpuStart = service.cpuMs();
        });
        const cpuMs = service.cpuMs() - cpuStart;
        const pgCpu = await backends!.stop();
        const n = Math.max(1, result.requests);
        rows.push({
          ...result,
          target,
          peakRssMb: service.memory().peakMb,
          cpuMsPerRequest: round(cpuMs / n, 3),
          pgCpuMsPerRequest: round(pgCpu.cpuMs / n, 3),
          totalCpuMsPerRequest: round((cpuMs + pgCpu.cpuMs) / n, 3),
          backends: pgCpu.backends,
        });
        process.stderr.write(
          `  ${target} ${s.name} C=${c}: ${result.rps} req/s, CPU/req ${round(cpuMs / n, 3)} + ${round(pgCpu.cpuMs / n, 3)} ms (pg, ${pgCpu.backends} backends), p99 ${result.latencyMs.p99} ms, errors ${result.errors}\n`,
        );
      }
    }
  } finally {
    await reader.end();
    await service.stop();
    await db.drop();
  }
  return { target, startupMs: service.startupMs, idleRssMb, rows };
}

export function scimTable(rows: ScimOpsRow[], raw: RawRow[]) {
  return rows.map((r) => {
    const rawOp =
      r.scenario === "POST /Users" ? "insert+event tx" : r.scenario.startsWith("GET /Users?filter") ? "lookup by userName" : undefined;
    const limit = rawOp ? rawRate(raw, rawOp, r.concurrency) : undefined;
    return {
      operation: r.scenario,
      C: r.concurrency,
      "req/s": r.rps,
      "p50 ms": r.latencyMs.p50,
      "p95 ms": r.latencyMs.p95,
      "p99 ms": r.latencyMs.p99,
      "max ms": r.latencyMs.max,
      errors: r.errors,
      "peak RSS MB": r.peakRssMb,
      "svc CPU ms/req": r.cpuMsPerRequest,
      "pg CPU ms/req": r.pgCpuMsPerRequest,
      "% of raw": limit ? `${round((100 * r.rps) / limit, 1)}%` : "",
    };
  });
}

/** The issue's targets for this benchmark, each with the measured value. */
export function scimTargets(rows: ScimOpsRow[], raw: RawRow[]) {
  const out: { target: string; measured: string; met: boolean }[] = [];
  for (const r of rows) {
    const rawOp =
      r.scenario === "POST /Users" ? "insert+event tx" : r.scenario.startsWith("GET /Users?filter") ? "lookup by userName" : undefined;
    const limit = rawOp ? rawRate(raw, rawOp, r.concurrency) : undefined;
    if (rawOp && limit) {
      const need = rawOp === "insert+event tx" ? 25 : 15;
      const pct = (100 * r.rps) / limit;
      out.push({
        target: `${r.scenario} C=${r.concurrency} ≥ ${need}% of raw ${rawOp}`,
        measured: `${round(pct, 1)}% (${r.rps} vs ${limit}/s)`,
        met: pct >= need,
      });
    }
    out.push({ target: `${r.scenario} C=${r.concurrency} 0 errors`, measured: String(r.errors), met: r.errors === 0 });
    if (r.requests === 0)
      out.push({ target: `${r.scenario} C=${r.concurrency} completes requests`, measured: "no response within the run", met: false });
    if (r.concurrency === 16)
      out.push({ target: `${r.scenario} C=16 p99 ≤ 50 ms`, measured: `${r.latencyMs.p99} ms`, met: r.latencyMs.p99 <= 50 });
    if (r.concurrency === 64)
      out.push({ target: `${r.scenario} C=64 RSS < 200 MB`, measured: `${r.peakRssMb} MB`, met: r.peakRssMb < 200 });
  }
  return out;
}

export function targetTable(targets: { target: string; measured: string; met: boolean }[]) {
  return targets.map((t) => ({ target: t.target, measured: t.measured, met: t.met ? "yes" : "NO" }));
}

if (isMain(import.meta.url)) {
  const args = benchArgs();
  const info = await runInfo();
  const raw = await runRawPostgres({ concurrency: args.concurrency, durationSec: args.duration });
  printTable(`Raw Postgres limit (${args.duration} s per row)`, rawTable(raw));
  const report = await runScimOps(args);
  printTable(
    `SCIM operations (${args.duration} s per row; service startup ${report.startupMs} ms, idle RSS ${report.idleRssMb} MB)`,
    scimTable(report.rows, raw),
  );
  const targets = scimTargets(report.rows, raw);
  printTable("Targets", targetTable(targets.filter((t) => !t.met || t.target.includes("raw"))));
  console.log(`\nwrote ${writeResult("scim-ops", info, { raw, ...report, targets })}`);
}
