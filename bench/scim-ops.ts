import pg from "pg";
import { type BenchArgs, benchArgs, isMain } from "./lib/args.js";
import { createBenchDatabase } from "./lib/bench-database.js";
import { entraActivePatch, entraAddMembers, entraGroup, entraUser } from "./lib/entra-bodies.js";
import { type HttpResult, type HttpScenario, runHttp } from "./lib/http-load.js";
import { round } from "./lib/latency.js";
import { printTable, runInfo, writeResult } from "./lib/report.js";
import { createDirectory, startService } from "./lib/service.js";
import { type RawRow, rawRate, rawTable, runRawPostgres } from "./raw-postgres.js";

// SCIM operation throughput and latency against the real service, at each concurrency: POST /Users
// (unique userNames), GET filter userName eq, GET by id, PATCH (Entra disable/enable), PUT, GET list
// count=100, POST /Groups, PATCH /Groups adding one member. Reported beside the raw Postgres limit.

export interface ScimOpsRow extends HttpResult {
  peakRssMb: number;
  /** Service CPU time (user + system) per request: steadier than req/s on a shared machine. */
  cpuMsPerRequest: number;
}

export interface ScimOpsReport {
  startupMs: number;
  idleRssMb: number;
  rows: ScimOpsRow[];
}

interface UserRef {
  id: string;
  userName: string;
  externalId: string;
}

export async function runScimOps(args: BenchArgs): Promise<ScimOpsReport> {
  const db = await createBenchDatabase("scim");
  const service = await startService({ databaseUrl: db.url, dist: args.dist, cpuProfDir: args.cpuProf });
  const reader = new pg.Client({ connectionString: db.url });
  await reader.connect();
  const rows: ScimOpsRow[] = [];
  const idleRssMb = service.memory().rssMb;
  try {
    const dir = await createDirectory(service, "scim ops bench");
    const prefix = new URL(dir.tenantUrl).pathname;
    const headers = { authorization: `Bearer ${dir.token}`, "content-type": "application/scim+json" };
    const users = async (): Promise<UserRef[]> =>
      (await reader.query<UserRef>(`SELECT id, user_name AS "userName", external_id AS "externalId" FROM scim_users WHERE directory_id = $1`, [dir.id])).rows;
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

    const scenarios: { name: string; before?: () => Promise<void>; scenario: HttpScenario }[] = [
      {
        name: "POST /Users",
        scenario: { name: "POST /Users", headers, next: () => ({ method: "POST", path: `${prefix}/Users`, body: entraUser(`user${++userSeq}@bench.example`) }) },
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
        scenario: {
          name: "PUT /Users",
          headers,
          next: () => {
            const u = pick(pool);
            const v = (version.get(u.id) ?? 0) + 1;
            version.set(u.id, v);
            return { method: "PUT", path: `${prefix}/Users/${u.id}`, body: entraUser(u.userName, u.externalId, `User ${u.userName} v${v}`) };
          },
        },
      },
      {
        name: "GET /Users count=100",
        scenario: { name: "GET /Users count=100", headers, ignoreBodies: true, next: () => ({ method: "GET", path: `${prefix}/Users?startIndex=1&count=100` }) },
      },
      {
        name: "POST /Groups",
        scenario: { name: "POST /Groups", headers, next: () => ({ method: "POST", path: `${prefix}/Groups`, body: entraGroup(`Bench group ${++groupSeq}`) }) },
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

    for (const c of args.concurrency) {
      for (const s of scenarios) {
        if (args.only && !args.only.some((o) => s.name.includes(o))) continue;
        await s.before?.();
        if (s.name !== "POST /Users" && s.name !== "POST /Groups" && pool.length === 0) pool = await users();
        await service.settle();
        service.resetPeak();
        let cpuStart = 0;
        const result = await runHttp(service.url, s.scenario, c, args.duration, 1, () => {
          cpuStart = service.cpuMs();
        });
        const cpuMsPerRequest = round((service.cpuMs() - cpuStart) / Math.max(1, result.requests), 2);
        rows.push({ ...result, peakRssMb: service.memory().peakMb, cpuMsPerRequest });
        process.stderr.write(`  ${s.name} C=${c}: ${result.rps} req/s, p99 ${result.latencyMs.p99} ms, errors ${result.errors}\n`);
      }
    }
  } finally {
    await reader.end();
    await service.stop();
    await db.drop();
  }
  return { startupMs: service.startupMs, idleRssMb, rows };
}

export function scimTable(rows: ScimOpsRow[], raw: RawRow[]) {
  return rows.map((r) => {
    const rawOp = r.scenario === "POST /Users" ? "insert+event tx" : r.scenario.startsWith("GET /Users?filter") ? "lookup by userName" : undefined;
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
      "% of raw": limit ? `${round((100 * r.rps) / limit, 1)}%` : "",
    };
  });
}

/** The issue's targets for this benchmark, each with the measured value. */
export function scimTargets(rows: ScimOpsRow[], raw: RawRow[]) {
  const out: { target: string; measured: string; met: boolean }[] = [];
  for (const r of rows) {
    const rawOp = r.scenario === "POST /Users" ? "insert+event tx" : r.scenario.startsWith("GET /Users?filter") ? "lookup by userName" : undefined;
    const limit = rawOp ? rawRate(raw, rawOp, r.concurrency) : undefined;
    if (rawOp && limit) {
      const need = rawOp === "insert+event tx" ? 25 : 15;
      const pct = (100 * r.rps) / limit;
      out.push({ target: `${r.scenario} C=${r.concurrency} ≥ ${need}% of raw ${rawOp}`, measured: `${round(pct, 1)}% (${r.rps} vs ${limit}/s)`, met: pct >= need });
    }
    out.push({ target: `${r.scenario} C=${r.concurrency} 0 errors`, measured: String(r.errors), met: r.errors === 0 });
    if (r.requests === 0) out.push({ target: `${r.scenario} C=${r.concurrency} completes requests`, measured: "no response within the run", met: false });
    if (r.concurrency === 16) out.push({ target: `${r.scenario} C=16 p99 ≤ 50 ms`, measured: `${r.latencyMs.p99} ms`, met: r.latencyMs.p99 <= 50 });
    if (r.concurrency === 64) out.push({ target: `${r.scenario} C=64 RSS < 256 MB`, measured: `${r.peakRssMb} MB`, met: r.peakRssMb < 256 });
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
  printTable(`SCIM operations (${args.duration} s per row; service startup ${report.startupMs} ms, idle RSS ${report.idleRssMb} MB)`, scimTable(report.rows, raw));
  const targets = scimTargets(report.rows, raw);
  printTable("Targets", targetTable(targets.filter((t) => !t.met || t.target.includes("raw"))));
  console.log(`\nwrote ${writeResult("scim-ops", info, { raw, ...report, targets })}`);
}
