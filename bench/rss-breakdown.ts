import { benchArgs, isMain } from "./lib/args.js";
import { createBenchDatabase } from "./lib/bench-database.js";
import { entraUser } from "./lib/entra-bodies.js";
import { runHttp } from "./lib/http-load.js";
import { printTable } from "./lib/report.js";
import { createDirectory, type Service, startService } from "./lib/service.js";

// `npm run bench:rss` (issue 11, RSS < 200 MB at C = 64): what holds the service's resident memory.
// RSS of the built server idle after start, after one admin API request (the first Prisma query loads its
// query compiler), and after SCIM POST /Users at C = 64; then the same SCIM load on a fresh process that
// has served no admin request (a SCIM-only instance: the directory was created by the first process).

async function scimLoad(service: Service, tenantUrl: string, token: string, seconds: number): Promise<void> {
  let n = 0;
  const path = new URL(tenantUrl).pathname;
  const prefix = `rss-${process.pid}-${Date.now()}`;
  await runHttp(
    service.url,
    {
      name: "POST /Users",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
      next: () => ({ method: "POST", path: `${path}/Users`, body: entraUser(`${prefix}-${n++}@example.com`) }),
    },
    64,
    seconds,
    0,
  );
}

export async function runRssBreakdown(argv = process.argv.slice(2)): Promise<Record<string, string | number>[]> {
  const args = benchArgs(argv);
  const db = await createBenchDatabase("rss");
  const rows: Record<string, string | number>[] = [];
  const note = (process: string, moment: string, s: Service) => {
    const { rssMb, peakMb } = s.memory();
    rows.push({ process, moment, "RSS MB": rssMb, "peak RSS MB": peakMb });
  };
  try {
    const first = await startService({ databaseUrl: db.url, dist: args.dist });
    note("first", "idle after start", first);
    const dir = await createDirectory(first, "rss bench");
    await first.settle();
    note("first", "after one admin API request (POST /directories)", first);
    first.resetPeak();
    await scimLoad(first, dir.tenantUrl, dir.token, args.duration);
    note("first", `after POST /Users at C=64 for ${args.duration} s`, first);
    await first.stop();

    const scimOnly = await startService({ databaseUrl: db.url, dist: args.dist });
    note("SCIM-only", "idle after start", scimOnly);
    scimOnly.resetPeak();
    await scimLoad(scimOnly, dir.tenantUrl, dir.token, args.duration);
    note("SCIM-only", `after POST /Users at C=64 for ${args.duration} s`, scimOnly);
    await scimOnly.stop();
  } finally {
    await db.drop();
  }
  return rows;
}

if (isMain(import.meta.url)) {
  console.log(printTable("## Service RSS: what holds it", await runRssBreakdown()));
}
