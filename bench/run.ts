import { writeFileSync } from "node:fs";
import { benchArgs } from "./lib/args.js";
import { printTable, RESULTS_DIR, runInfo, writeResult } from "./lib/report.js";
import { growthArgs, growthRatios, growthTable, growthTargets, runGrowth } from "./growth.js";
import { floorMarkdown, runFloorComparison } from "./floor.js";
import { replayArgs, replayTable, runReplay } from "./replay.js";
import { scimTable, scimTargets, targetTable } from "./scim-ops.js";
import { lagTable, runWebhooks, webhookArgs, webhookTable } from "./webhooks.js";

// `npm run bench`: every benchmark in one run (floor, service and raw limits in one session, so multiples compare like with like),
// tables on stdout, one JSON with everything, and bench/results/latest.md (the tables as Markdown).
// Flags: --duration <s> (per scenario, default 5), --concurrency 16,64, --large (1M users, 50 tenants),
// --tsx (run src/server.ts through tsx instead of the built dist/server.js), --cpu-prof <dir>, --targets.

const argv = process.argv.slice(2);
const args = benchArgs(argv);
const info = await runInfo();
const started = performance.now();
const md: string[] = [
  `# Benchmark run ${info.date}`,
  "",
  `commit ${info.commit}${info.dirty ? " (+ uncommitted changes in src/prisma)" : ""}; Node ${info.node}; ${info.cores} × ${info.cpus}; ${info.memoryGb} GB;` +
    ` Postgres ${info.postgres.server_version} (shared_buffers ${info.postgres.shared_buffers}, synchronous_commit ${info.postgres.synchronous_commit});` +
    ` load average at start ${info.loadAverage.join(", ")}; service: ${args.dist ? "node dist/server.js" : "src/server.ts via tsx"}`,
];
const section = (title: string) => process.stderr.write(`\n== ${title} (${Math.round((performance.now() - started) / 1000)} s elapsed)\n`);

section("floor, service, raw limit (pgbench and the Node script)");
// the floor (with and without prepared statements), the service, pgbench and the Node pg script, in one session
const cmp = await runFloorComparison(argv);
md.push(...floorMarkdown(cmp, args.duration));
const scim = cmp.scim.find((r) => r.target === "service") ?? { startupMs: 0, idleRssMb: 0, rows: [] };
const raw = cmp.nodeRaw;
md.push(
  printTable(
    `## SCIM operations, service (${args.duration} s per row after 1 s warm-up and a 2 s warm-up pass; service startup ${scim.startupMs} ms, idle RSS ${scim.idleRssMb} MB)`,
    scimTable(scim.rows, raw),
  ),
);
const targets = scimTargets(scim.rows, raw);
md.push(
  printTable(
    "## Targets (raw-limit fractions, and every target missed)",
    targetTable(targets.filter((t) => !t.met || t.target.includes("raw"))),
  ),
);

section("Entra initial-sync replay");
const replayOpts = replayArgs(argv);
const replay = await runReplay(replayOpts);
md.push(
  printTable(
    `## Entra initial-sync replay (per tenant ${replayOpts.users} users, ${replayOpts.groups} groups × ${replayOpts.membersPerGroup} members, PATCH batches of ${replayOpts.memberBatch}, ${replayOpts.tenantConcurrency} request in flight per tenant)`,
    replayTable(replay),
  ),
);

section("growth");
const growthOpts = growthArgs(argv);
const growth = await runGrowth(growthOpts);
md.push(printTable("## Growth (users seeded with SQL; one request in flight)", growthTable(growth)));
md.push(printTable("## Growth ratios (p50 at largest size / p50 at smallest)", growthRatios(growth)));
md.push(printTable("## Growth targets", growthTargets(growth)));

section("webhooks");
const hookOpts = webhookArgs(argv);
// the worker inside the service (the default deployment), then as its own process (npm run worker)
const hooks = [await runWebhooks({ ...hookOpts, separateWorker: false }), await runWebhooks({ ...hookOpts, separateWorker: true })];
md.push(
  printTable(
    `## Webhook delivery under POST /Users load (C=${hookOpts.concurrency}, ${hookOpts.directories} directories with an endpoint each)`,
    webhookTable(hooks),
  ),
);
for (const h of hooks) md.push(printTable(`### Webhook lag by second of the load window (worker ${h.worker})`, lagTable(h)));

const totalSec = Math.round((performance.now() - started) / 1000);
md.push("", `Total run time ${totalSec} s.`, "");
const json = writeResult("run", info, {
  args,
  floor: cmp,
  targets,
  replay: { options: replayOpts, rows: replay },
  growth: { options: growthOpts, rows: growth, ratios: growthRatios(growth) },
  webhooks: hooks,
});
writeFileSync(`${RESULTS_DIR}/latest.md`, `${md.join("\n")}\n`);
console.log(`\nwrote ${json} and ${RESULTS_DIR}/latest.md (total ${totalSec} s)`);
