import { writeFileSync } from "node:fs";
import { benchArgs, benchFlags, isMain } from "./lib/args.js";
import { round } from "./lib/latency.js";
import { type Cell, printTable, RESULTS_DIR, runInfo, writeResult } from "./lib/report.js";
import { type PgbenchRow, pgbenchTable, pgbenchTps, runPgbench } from "./pgbench.js";
import { type RawRow, rawRate, rawTable, runRawPostgres } from "./raw-postgres.js";
import { runScimOps, type ScimOpsReport, type ScimOpsRow, type ScimTarget } from "./scim-ops.js";

// `npm run bench:floor` (issue 11): in one session, the floor server with and without prepared
// statements, the service (built dist/server.js, default LOG_LEVEL), pgbench on the floor's statements
// (the raw limit) and the Node pg script (a client-bound figure), then every service figure as a multiple
// of the floor: CPU per request (service or floor process + the Postgres backends of its database, from
// /proc), throughput as a fraction of pgbench, peak RSS, errors. `--targets floor` measures the floor alone.

export interface FloorComparison {
  scim: ScimOpsReport[];
  pgbench: PgbenchRow[];
  nodeRaw: RawRow[];
}

export async function runFloorComparison(argv = process.argv.slice(2)): Promise<FloorComparison> {
  const args = benchArgs(argv);
  const flags = benchFlags(argv);
  const targets = flags.targets.split(",").map((t) => t.trim()) as ScimTarget[];
  const scim: ScimOpsReport[] = [];
  for (const t of targets) {
    process.stderr.write(`\n-- SCIM scenarios against ${t}\n`);
    scim.push(await runScimOps(args, t));
  }
  if (flags["skip-raw"]) return { scim, pgbench: [], nodeRaw: [] };
  process.stderr.write("\n-- pgbench (raw limit)\n");
  const pgbench = await runPgbench({ concurrency: args.concurrency, durationSec: args.duration, only: args.only });
  process.stderr.write("\n-- Node pg script\n");
  const nodeRaw = targets.includes("service") ? await runRawPostgres({ concurrency: args.concurrency, durationSec: args.duration }) : [];
  return { scim, pgbench, nodeRaw };
}

const rowsOf = (c: FloorComparison, t: ScimTarget) => c.scim.find((r) => r.target === t)?.rows ?? [];
const match = (rows: ScimOpsRow[], r: ScimOpsRow) => rows.find((x) => x.scenario === r.scenario && x.concurrency === r.concurrency);
const times = (a: number, b: number | undefined) => (b ? `${round(a / b, 2)}×` : "");

/** Each scenario row (the service's, else the floor's) with the matching row of every target. */
function scenarioRows(c: FloorComparison) {
  const floor = rowsOf(c, "floor");
  const unprepared = rowsOf(c, "floor-unprepared");
  const service = rowsOf(c, "service");
  const serviceUnprepared = rowsOf(c, "service-unprepared");
  return (service.length > 0 ? service : floor).map((r) => ({
    r,
    f: match(floor, r),
    u: match(unprepared, r),
    s: match(service, r),
    su: match(serviceUnprepared, r),
  }));
}

/** "total (node + pg)" CPU ms per request, or empty when the target did not run. */
const cpuCell = (x: ScimOpsRow | undefined) => (x ? `${x.totalCpuMsPerRequest} (${x.cpuMsPerRequest} + ${x.pgCpuMsPerRequest})` : "");

/** CPU per request, ms: each target's process + its Postgres backends, and the service as a multiple of the floor. */
export function cpuTable(c: FloorComparison): Record<string, Cell>[] {
  return scenarioRows(c).map(({ r, f, u, s, su }) => {
    const pgbOf = (statements: "floor" | "service") =>
      c.pgbench.find(
        (p) => p.scenario === r.scenario && p.concurrency === r.concurrency && p.mode === "prepared" && p.statements === statements,
      );
    return {
      request: r.scenario,
      C: r.concurrency,
      "service ms/req (node + pg)": cpuCell(s),
      "floor ms/req (node + pg)": cpuCell(f),
      "service × floor": s && f ? times(s.totalCpuMsPerRequest, f.totalCpuMsPerRequest) : "",
      "floor unprepared ms/req (node + pg)": cpuCell(u),
      "service unprepared ms/req (node + pg)": cpuCell(su),
      "service unprepared × floor unprepared": su && u ? times(su.totalCpuMsPerRequest, u.totalCpuMsPerRequest) : "",
      "pgbench prepared pg ms/tx, floor's statements": pgbOf("floor")?.pgCpuMsPerTx,
      "pgbench prepared pg ms/tx, service's statements": pgbOf("service")?.pgCpuMsPerTx,
    };
  });
}

/** Throughput against the raw limit, RSS and errors. */
export function throughputTable(c: FloorComparison): Record<string, Cell>[] {
  return scenarioRows(c).map(({ r, f, u, s, su }) => {
    const simple = pgbenchTps(c.pgbench, r.scenario, "simple", r.concurrency);
    const prepared = pgbenchTps(c.pgbench, r.scenario, "prepared", r.concurrency);
    const servicePrepared = pgbenchTps(c.pgbench, r.scenario, "prepared", r.concurrency, "service");
    const node =
      r.scenario === "POST /Users"
        ? rawRate(c.nodeRaw, "insert+event tx", r.concurrency)
        : r.scenario.startsWith("GET /Users?filter")
          ? rawRate(c.nodeRaw, "lookup by userName", r.concurrency)
          : undefined;
    return {
      request: r.scenario,
      C: r.concurrency,
      "service req/s": s?.rps,
      "floor req/s": f?.rps,
      "floor unprepared req/s": u?.rps,
      "service unprepared req/s": su?.rps,
      "pgbench simple tx/s": simple,
      "pgbench prepared tx/s": prepared,
      "pgbench prepared tx/s, service's statements": servicePrepared,
      "service % of pgbench prepared": s && prepared ? `${round((100 * s.rps) / prepared, 1)}%` : "",
      "service % of pgbench prepared on its own statements": s && servicePrepared ? `${round((100 * s.rps) / servicePrepared, 1)}%` : "",
      "floor % of pgbench prepared": f && prepared ? `${round((100 * f.rps) / prepared, 1)}%` : "",
      "Node pg script ops/s (client-bound)": node,
      "service p99 ms": s?.latencyMs.p99,
      "service peak RSS MB": s?.peakRssMb,
      "floor peak RSS MB": f?.peakRssMb,
      "service unprepared peak RSS MB": su?.peakRssMb,
      errors: [s, f, u, su].map((x) => x?.errors ?? "-").join(" / "),
    };
  });
}

export function floorMarkdown(c: FloorComparison, durationSec: number): string[] {
  const md = [
    printTable(
      `## CPU per request, ms (process + its Postgres backends, /proc; ${durationSec} s per row after 1 s warm-up, all after a 2 s warm-up pass per scenario)`,
      cpuTable(c),
    ),
    printTable("## Throughput, raw limit, RSS, errors (service / floor / floor unprepared / service unprepared)", throughputTable(c)),
  ];
  if (c.pgbench.length > 0)
    md.push(
      printTable(
        `## Raw limit: pgbench on the floor's statements and on the service's own (captured from its stores; ${durationSec} s per row)`,
        pgbenchTable(c.pgbench),
      ),
    );
  if (c.nodeRaw.length > 0)
    md.push(printTable("## Node pg script (bench/raw-postgres.ts; bound by its own client, not by Postgres)", rawTable(c.nodeRaw)));
  return md;
}

if (isMain(import.meta.url)) {
  const args = benchArgs();
  const info = await runInfo();
  const result = await runFloorComparison();
  const head = [
    `# Floor comparison ${info.date}`,
    "",
    `commit ${info.commit}${info.dirty ? " (+ uncommitted changes in src/prisma)" : ""}; Node ${info.node}; ${info.cores} × ${info.cpus};` +
      ` Postgres ${info.postgres.server_version}; load average at start ${info.loadAverage.join(", ")}; service: ${args.dist ? "node dist/server.js" : "src/server.ts via tsx"}`,
  ];
  writeFileSync(`${RESULTS_DIR}/floor-latest.md`, `${[...head, ...floorMarkdown(result, args.duration)].join("\n")}\n`);
  console.log(`\nwrote ${writeResult("floor", info, result)} and ${RESULTS_DIR}/floor-latest.md`);
}
