import { benchFlags, isMain } from "./lib/args.js";
import { createBenchDatabase } from "./lib/bench-database.js";
import { entraAddMembers, entraUser, GROUP_SCHEMA } from "./lib/entra-bodies.js";
import { LatencyRecorder, type LatencySummary, round } from "./lib/latency.js";
import { printTable, runInfo, writeResult } from "./lib/report.js";
import { ScimClient } from "./lib/scim-client.js";
import { createDirectory, startService } from "./lib/service.js";

// Entra's initial sync, replayed by N tenants at once against one service. Per tenant, like Entra:
// for each user, match by filter (miss) then POST; for each group, match by displayName with
// excludedAttributes=members (miss), POST with no members, then PATCH members in batches.
// Each tenant sends its requests in sequence (one at a time, as Entra's provisioning cycle does)
// unless --tenant-concurrency says otherwise.

const ADSCIM_GROUP = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

export interface ReplayOptions {
  tenants: number[];
  users: number;
  groups: number;
  membersPerGroup: number;
  memberBatch: number;
  tenantConcurrency: number;
  dist?: boolean;
  cpuProf?: string;
}

export interface ReplayRow {
  tenants: number;
  usersPerTenant: number;
  groupsPerTenant: number;
  requests: number;
  wallSec: number;
  rps: number;
  perTenantRps: number;
  errors: number;
  firstError?: string;
  latencyMs: LatencySummary;
  peakRssMb: number;
  cpuMsPerRequest: number;
}

async function pool<T>(items: T[], workers: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function replayTenant(client: ScimClient, prefix: string, tenant: number, opts: ReplayOptions, count: () => void): Promise<void> {
  const userIds: string[] = [];
  const users = Array.from({ length: opts.users }, (_, i) => `t${tenant}.user${i}@tenant${tenant}.example`);
  await pool(users, opts.tenantConcurrency, async (userName) => {
    const match = await client.expect(200, "GET", `${prefix}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    count();
    if (match.json<{ totalResults: number }>().totalResults !== 0) throw new Error(`match for ${userName} was not a miss`);
    const created = await client.expect(201, "POST", `${prefix}/Users`, entraUser(userName));
    count();
    userIds.push(created.json<{ id: string }>().id);
  });
  const groups = Array.from({ length: opts.groups }, (_, i) => i);
  await pool(groups, opts.tenantConcurrency, async (g) => {
    const displayName = `Tenant ${tenant} group ${g}`;
    await client.expect(
      200,
      "GET",
      `${prefix}/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${displayName}"`)}`,
    );
    count();
    const created = await client.expect(201, "POST", `${prefix}/Groups`, {
      schemas: [GROUP_SCHEMA, ADSCIM_GROUP],
      displayName,
      externalId: `ext-${tenant}-${g}`,
      members: [],
    });
    count();
    const groupId = created.json<{ id: string }>().id;
    const members = Array.from({ length: opts.membersPerGroup }, (_, k) => userIds[(g * opts.membersPerGroup + k) % userIds.length]!);
    for (let k = 0; k < members.length; k += opts.memberBatch) {
      await client.expect([200, 204], "PATCH", `${prefix}/Groups/${groupId}`, entraAddMembers(members.slice(k, k + opts.memberBatch)));
      count();
    }
  });
}

export async function runReplay(opts: ReplayOptions): Promise<ReplayRow[]> {
  const rows: ReplayRow[] = [];
  for (const n of opts.tenants) {
    // a fresh database and service per N, so every N starts from empty tables
    const db = await createBenchDatabase(`replay${n}`);
    const service = await startService({ databaseUrl: db.url, dist: opts.dist, cpuProfDir: opts.cpuProf });
    try {
      const dirs = [];
      for (let t = 0; t < n; t++) dirs.push(await createDirectory(service, `replay tenant ${t}`));
      const latency = new LatencyRecorder();
      let requests = 0;
      let errors = 0;
      let firstError: string | undefined;
      await service.settle();
      service.resetPeak();
      const cpu0 = service.cpuMs();
      const t0 = performance.now();
      await Promise.all(
        dirs.map(async (d, t) => {
          const client = new ScimClient(service.url, d.token, opts.tenantConcurrency, latency);
          try {
            await replayTenant(client, new URL(d.tenantUrl).pathname, t, opts, () => requests++);
          } catch (err) {
            errors++;
            firstError ??= (err as Error).message;
          } finally {
            client.close();
          }
        }),
      );
      const wallSec = (performance.now() - t0) / 1000;
      rows.push({
        tenants: n,
        usersPerTenant: opts.users,
        groupsPerTenant: opts.groups,
        requests,
        wallSec: round(wallSec, 1),
        rps: round(requests / wallSec, 0),
        perTenantRps: round(requests / wallSec / n, 1),
        errors,
        firstError,
        latencyMs: latency.summary(),
        peakRssMb: service.memory().peakMb,
        cpuMsPerRequest: round((service.cpuMs() - cpu0) / Math.max(1, requests), 2),
      });
      process.stderr.write(
        `  replay N=${n}: ${requests} requests in ${round(wallSec, 1)} s, errors ${errors}${firstError ? ` (${firstError})` : ""}\n`,
      );
    } finally {
      await service.stop();
      await db.drop();
    }
  }
  return rows;
}

export function replayTable(rows: ReplayRow[]) {
  return rows.map((r) => ({
    tenants: r.tenants,
    "users+groups/tenant": `${r.usersPerTenant}+${r.groupsPerTenant}`,
    requests: r.requests,
    "wall s": r.wallSec,
    "req/s": r.rps,
    "req/s/tenant": r.perTenantRps,
    "p50 ms": r.latencyMs.p50,
    "p95 ms": r.latencyMs.p95,
    "p99 ms": r.latencyMs.p99,
    errors: r.errors,
    "peak RSS MB": r.peakRssMb,
    "svc CPU ms/req": r.cpuMsPerRequest,
  }));
}

export function replayArgs(argv = process.argv.slice(2)): ReplayOptions {
  const values = benchFlags(argv);
  // N = 50 at full size (~107k requests) does not fit the default time budget on 2 cores: behind --large
  const tenants = values.tenants ?? (values.large ? "1,10,50" : "1,10");
  return {
    tenants: tenants.split(",").map(Number),
    users: Number(values.users),
    groups: Number(values.groups),
    membersPerGroup: Number(values.members),
    memberBatch: Number(values.batch),
    tenantConcurrency: Number(values["tenant-concurrency"]),
    dist: !values.tsx,
    cpuProf: values["cpu-prof"],
  };
}

if (isMain(import.meta.url)) {
  const opts = replayArgs();
  const info = await runInfo();
  const rows = await runReplay(opts);
  printTable(
    `Entra initial-sync replay (per tenant: ${opts.users} users, ${opts.groups} groups × ${opts.membersPerGroup} members in PATCH batches of ${opts.memberBatch}; ${opts.tenantConcurrency} request(s) in flight per tenant)`,
    replayTable(rows),
  );
  console.log(`\nwrote ${writeResult("replay", info, { options: opts, rows })}`);
}
