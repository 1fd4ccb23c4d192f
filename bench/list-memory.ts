import pg from "pg";
import { isMain } from "./lib/args.js";
import { createBenchDatabase } from "./lib/bench-database.js";
import { GROUP_SCHEMA } from "./lib/entra-bodies.js";
import { round } from "./lib/latency.js";
import { printTable, runInfo, writeResult } from "./lib/report.js";
import { ScimClient } from "./lib/scim-client.js";
import { seedUsers } from "./lib/seed-users.js";
import { createDirectory, type Service, startService } from "./lib/service.js";

// Issue 13 item 2: memory of large Groups responses. 30 groups of 10,000 members each (users and
// memberships seeded with SQL), then three concurrent clients each send GET /Groups?count=1000 and page on
// with startIndex until they have read every group with its members (and, first, a run where each client
// sends the one GET only). The service's RSS is sampled every
// 10 ms; growth = peak during the run - RSS before it. Run twice: with the default SCIM_LIST_MAX_MEMBERS
// (10,000) and with a budget large enough that nothing is cut (how the service answered before the bound).

const GROUPS = 30;
const MEMBERS = 10_000;
const CLIENTS = 3;

interface Run {
  budget: string;
  scenario: string;
  pagesPerClient: number;
  groupsPerClient: number;
  firstPageMb: number;
  seconds: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  rssGrowthMb: number;
}

async function listEverything(
  scim: ScimClient,
  prefix: string,
  onePage = false,
): Promise<{ pages: number; groups: number; firstPageBytes: number }> {
  let startIndex = 1;
  let pages = 0;
  let groups = 0;
  let firstPageBytes = 0;
  for (;;) {
    const r = await scim.expect(200, "GET", `${prefix}/Groups?count=1000&startIndex=${startIndex}`);
    const body = r.json<{ totalResults: number; itemsPerPage: number; Resources: { members: unknown[] }[] }>();
    if (pages === 0) firstPageBytes = Buffer.byteLength(r.body);
    pages++;
    groups += body.Resources.length;
    for (const g of body.Resources) if (g.members.length !== MEMBERS) throw new Error(`a group came back with ${g.members.length} members`);
    startIndex += body.itemsPerPage;
    if (onePage || body.itemsPerPage === 0 || startIndex > body.totalResults) return { pages, groups, firstPageBytes };
  }
}

async function measure(service: Service, token: string, prefix: string, budget: string, onePage: boolean): Promise<Run> {
  await service.settle();
  const before = service.memory().rssMb;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, service.memory().rssMb);
  }, 10);
  const t0 = performance.now();
  const clients = Array.from({ length: CLIENTS }, () => new ScimClient(service.url, token, 1));
  const results = await Promise.all(clients.map((c) => listEverything(c, prefix, onePage)));
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, service.memory().rssMb);
  for (const c of clients) c.close();
  if (!onePage) for (const r of results) if (r.groups !== GROUPS) throw new Error(`a client read ${r.groups} groups, not ${GROUPS}`);
  return {
    budget,
    scenario: onePage ? "one GET each" : "every page",
    pagesPerClient: results[0]!.pages,
    groupsPerClient: results[0]!.groups,
    firstPageMb: round(results[0]!.firstPageBytes / 1e6, 1),
    seconds: round(seconds, 2),
    rssBeforeMb: round(before, 0),
    rssPeakMb: round(peak, 0),
    rssGrowthMb: round(peak - before, 0),
  };
}

export async function runListMemory(): Promise<Run[]> {
  const db = await createBenchDatabase("listmem");
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const runs: Run[] = [];
  try {
    for (const budget of ["10000 (default)", String(GROUPS * MEMBERS)]) {
      const service = await startService({ databaseUrl: db.url, dist: true, env: { SCIM_LIST_MAX_MEMBERS: budget.split(" ")[0]! } });
      try {
        const dir = await createDirectory(service, `list memory ${runs.length}`);
        const prefix = new URL(dir.tenantUrl).pathname;
        const scim = new ScimClient(service.url, dir.token, 1);
        const t0 = performance.now();
        await seedUsers(sql, dir.id, 1, MEMBERS);
        for (let g = 0; g < GROUPS; g++) {
          const created = await scim.expect(201, "POST", `${prefix}/Groups`, {
            schemas: [GROUP_SCHEMA],
            displayName: `Group ${g}`,
            members: [],
          });
          const groupId = created.json<{ id: string }>().id;
          await sql.query(
            `INSERT INTO group_members (group_id, user_id, directory_id) SELECT $1::uuid, id, $2::uuid FROM scim_users WHERE directory_id = $2::uuid`,
            [groupId, dir.id],
          );
          await sql.query(`UPDATE scim_groups SET member_count = $2 WHERE id = $1`, [groupId, MEMBERS]);
        }
        await sql.query("VACUUM ANALYZE group_members");
        scim.close();
        process.stderr.write(`  seeded ${GROUPS} groups × ${MEMBERS} members in ${round((performance.now() - t0) / 1000, 1)} s\n`);
        // one warm-up pass (JIT, plans), then the measured one
        const warm = new ScimClient(service.url, dir.token, 1);
        await listEverything(warm, prefix);
        warm.close();
        for (const onePage of [true, false]) {
          const run = await measure(service, dir.token, prefix, budget, onePage);
          process.stderr.write(
            `  SCIM_LIST_MAX_MEMBERS=${budget}, ${run.scenario}: RSS +${run.rssGrowthMb} MB (${run.rssBeforeMb} → ${run.rssPeakMb})\n`,
          );
          runs.push(run);
        }
      } finally {
        await service.stop();
      }
    }
  } finally {
    await sql.end();
    await db.drop();
  }
  return runs;
}

if (isMain(import.meta.url)) {
  const info = await runInfo();
  const runs = await runListMemory();
  printTable(
    `Three concurrent clients list ${GROUPS} groups of ${MEMBERS.toLocaleString("en")} members (GET /Groups?count=1000, paging on with startIndex)`,
    runs.map((r) => ({
      SCIM_LIST_MAX_MEMBERS: r.budget,
      clients: r.scenario,
      "pages per client": r.pagesPerClient,
      "first page MB": r.firstPageMb,
      "wall s": r.seconds,
      "RSS before MB": r.rssBeforeMb,
      "RSS peak MB": r.rssPeakMb,
      "RSS growth MB": r.rssGrowthMb,
    })),
  );
  console.log(`\nwrote ${writeResult("list-memory", info, { runs })}`);
}
