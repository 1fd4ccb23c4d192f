import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import pg from "pg";
import { putAppAttribute } from "../src/attributes/app-attribute-service.js";
import { setDirectoryAttributeMapping, startRemap } from "../src/attributes/attribute-mapping-service.js";
import { startAttributeRemapJob } from "../src/attributes/attribute-remap-job.js";
import { createDatabase, type Database } from "../src/db/database.js";
import { createLogger } from "../src/logger.js";
import { isMain } from "./lib/args.js";
import { createBenchDatabase } from "./lib/bench-database.js";
import { printTable } from "./lib/report.js";
import { seedUsers } from "./lib/seed-users.js";

// Issue 16: the attribute remap of a directory of 10,000 existing users (seeded with SQL, Entra-shaped,
// enterprise department set), run by the background job in this process with its default batch size.
// Three runs: declaring an attribute (every user changes: one user.updated each), remapping it to
// another path (every value changes again), and a re-run with nothing to change (the idempotent pass).
// Time = from the request's commit to the job's `done`, as the admin API shows it.

const USERS = Number(process.env.BENCH_REMAP_USERS ?? 10_000);

async function timeRemap(
  db: Database,
  directoryId: string,
  request: () => Promise<unknown>,
): Promise<{ seconds: number; changed: number }> {
  const started = performance.now();
  await request();
  for (;;) {
    const job = await db.prisma.attributeRemapJob.findUnique({ where: { directoryId } });
    if (job?.state === "done") return { seconds: (performance.now() - started) / 1000, changed: job.changed };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function main(): Promise<void> {
  const bench = await createBenchDatabase("remap");
  const db = createDatabase({ url: bench.url, poolSize: 4, statementTimeoutMs: 60_000 });
  const runner = startAttributeRemapJob({ db, logger: createLogger("warn"), pollMs: 20 });
  try {
    const directoryId = randomUUID();
    const seed = new pg.Client({ connectionString: bench.url });
    await seed.connect();
    await seed.query("INSERT INTO directories (id, name, provider) VALUES ($1, 'remap bench', 'entra')", [directoryId]);
    await seedUsers(seed, directoryId, 1, USERS);
    await seed.query("INSERT INTO directory_counts (directory_id, shard, users) VALUES ($1, 0, $2)", [directoryId, USERS]);
    await seed.query("VACUUM ANALYZE scim_users");
    await seed.end();

    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(" ");
    const declare = await timeRemap(db, directoryId, () => putAppAttribute(db, "department", { type: "string" }));
    const remap = await timeRemap(db, directoryId, () =>
      setDirectoryAttributeMapping(db, directoryId, "department", 'emails[type eq "work"].value'),
    );
    const rerun = await timeRemap(db, directoryId, () => startRemap(db, directoryId));
    const rows = [
      {
        run: "declare attribute (all users change)",
        users: USERS,
        changed: declare.changed,
        seconds: declare.seconds.toFixed(2),
        usersPerSecond: Math.round(USERS / declare.seconds),
      },
      {
        run: "remap to another path (all change)",
        users: USERS,
        changed: remap.changed,
        seconds: remap.seconds.toFixed(2),
        usersPerSecond: Math.round(USERS / remap.seconds),
      },
      {
        run: "re-run, nothing to change",
        users: USERS,
        changed: rerun.changed,
        seconds: rerun.seconds.toFixed(2),
        usersPerSecond: Math.round(USERS / rerun.seconds),
      },
    ];
    printTable(`Attribute remap of ${USERS} users (load average before: ${load})`, rows);
  } finally {
    await runner.stop();
    await db.close();
    await bench.drop();
  }
}

if (isMain(import.meta.url)) await main();
