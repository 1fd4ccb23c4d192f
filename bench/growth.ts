import pg from "pg";
import { encodeIdCursor, encodeKeyset } from "../src/pagination/keyset-position.js";
import { benchFlags, isMain } from "./lib/args.js";
import { createBenchDatabase } from "./lib/bench-database.js";
import { entraAddMembers, entraRemoveMember, GROUP_SCHEMA } from "./lib/entra-bodies.js";
import { LatencyRecorder, type LatencySummary, round } from "./lib/latency.js";
import { printTable, runInfo, writeResult } from "./lib/report.js";
import { ScimClient } from "./lib/scim-client.js";
import { seedUsers } from "./lib/seed-users.js";
import { createDirectory, startService } from "./lib/service.js";

// Cost as one directory grows: users are seeded with SQL (INSERT ... SELECT generate_series, the same
// columns and JSON the service writes), then each probe is timed request by request (one in flight,
// so the figure is latency, not queueing). Sizes 10k and 100k; 1M with --large. At 100k a group with
// 100k members is seeded and probed: GET with excludedAttributes=members, PATCH adding 1,000 members,
// PATCH removing one member, admin-API member paging.

export interface GrowthRow {
  users: number;
  probe: string;
  requests: number;
  latencyMs: LatencySummary;
}

function probeUsers(size: number, k: number): number[] {
  // spread over the whole table (old and new rows), same picks at every size
  return Array.from({ length: k }, (_, j) => 1 + Math.floor(((j * 7919) % k) * (size / k)));
}

async function time(latency: LatencyRecorder, work: () => Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  await work();
  latency.record(performance.now() - t0);
}

export async function runGrowth(opts: { sizes: number[]; probes: number; dist?: boolean; cpuProf?: string }): Promise<GrowthRow[]> {
  const db = await createBenchDatabase("growth");
  const service = await startService({ databaseUrl: db.url, dist: opts.dist, cpuProfDir: opts.cpuProf });
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const rows: GrowthRow[] = [];
  try {
    const dir = await createDirectory(service, "growth bench");
    const prefix = new URL(dir.tenantUrl).pathname;
    const scim = new ScimClient(service.url, dir.token, 1);
    const admin = new ScimClient(service.url, service.adminKey, 1);
    const record = (users: number, probe: string, latency: LatencyRecorder) => {
      rows.push({ users, probe, requests: latency.count, latencyMs: latency.summary() });
      const s = latency.summary();
      process.stderr.write(`  ${users} users, ${probe}: p50 ${s.p50} ms, p95 ${s.p95} ms\n`);
    };
    let seeded = 0;
    for (const size of opts.sizes) {
      const t0 = performance.now();
      await seedUsers(sql, dir.id, seeded + 1, size);
      await sql.query("VACUUM ANALYZE scim_users");
      process.stderr.write(`  seeded ${size} users in ${round((performance.now() - t0) / 1000, 1)} s\n`);
      seeded = size;
      const picks = probeUsers(size, opts.probes);
      if (size === opts.sizes[0]) {
        // warm-up (JIT, plan and token caches) so the first size is not measured cold
        for (const i of picks.slice(0, 50)) {
          await scim.expect(200, "GET", `${prefix}/Users?filter=${encodeURIComponent(`userName eq "user${i}@growth.example"`)}`);
          await scim.expect(200, "GET", `${prefix}/Users?filter=${encodeURIComponent(`externalId eq "ext-${i}"`)}`);
        }
        for (let k = 0; k < 5; k++) {
          await scim.expect(200, "GET", `${prefix}/Users?startIndex=1&count=100`);
          await admin.expect(200, "GET", `/api/v1/directories/${dir.id}/users?limit=100`);
        }
      }

      for (const [probe, filter] of [
        ["filter userName eq", (i: number) => `userName eq "user${i}@growth.example"`],
        ["filter externalId eq", (i: number) => `externalId eq "ext-${i}"`],
        ["filter emails[type eq work].value eq", (i: number) => `emails[type eq "work"].value eq "user${i}@growth.example"`],
      ] as const) {
        const latency = new LatencyRecorder();
        for (const i of picks) {
          await time(latency, async () => {
            const r = await scim.expect(200, "GET", `${prefix}/Users?filter=${encodeURIComponent(filter(i))}`);
            if (r.json<{ totalResults: number }>().totalResults !== 1)
              throw new Error(`${probe} for user ${i} did not find exactly one user`);
          });
        }
        record(size, probe, latency);
      }

      for (const [probe, startIndex] of [
        ["GET /Users startIndex=1 count=100", 1],
        ["GET /Users startIndex=size/2 count=100", Math.floor(size / 2)],
        ["GET /Users startIndex=size-100 count=100", size - 99],
      ] as const) {
        const latency = new LatencyRecorder();
        for (let k = 0; k < Math.max(5, Math.floor(opts.probes / 10)); k++) {
          await time(latency, () => scim.expect(200, "GET", `${prefix}/Users?startIndex=${startIndex}&count=100`));
        }
        record(size, probe, latency);
      }

      // admin keyset paging: the first page, and a page starting deep in the list (cursor of row size-100)
      const deep = await sql.query<{ id: string; created_at: Date }>(
        `SELECT id, created_at FROM scim_users WHERE directory_id = $1 ORDER BY created_at, id OFFSET $2 LIMIT 1`,
        [dir.id, size - 101],
      );
      const deepCursor = encodeKeyset({ createdAt: deep.rows[0]!.created_at, id: deep.rows[0]!.id });
      for (const [probe, query] of [
        ["admin users page 1 (limit=100)", "limit=100"],
        ["admin users deep cursor page (limit=100)", `limit=100&cursor=${deepCursor}`],
      ] as const) {
        const latency = new LatencyRecorder();
        for (let k = 0; k < Math.max(5, Math.floor(opts.probes / 10)); k++) {
          await time(latency, () => admin.expect(200, "GET", `/api/v1/directories/${dir.id}/users?${query}`));
        }
        record(size, probe, latency);
      }

      if (size === 100_000) await probeBigGroup(sql, scim, admin, dir.id, prefix, size, opts.probes, record);
    }
    scim.close();
    admin.close();
  } finally {
    await sql.end();
    await service.stop();
    await db.drop();
  }
  return rows;
}

/** A group holding every user but the last 5,000 (kept back for the PATCH adds), probed at `size` users. */
async function probeBigGroup(
  sql: pg.Client,
  scim: ScimClient,
  admin: ScimClient,
  directoryId: string,
  prefix: string,
  size: number,
  probes: number,
  record: (users: number, probe: string, latency: LatencyRecorder) => void,
): Promise<void> {
  const created = await scim.expect(201, "POST", `${prefix}/Groups`, { schemas: [GROUP_SCHEMA], displayName: "Everyone", members: [] });
  const groupId = created.json<{ id: string }>().id;
  const reserve = 5_000;
  const t0 = performance.now();
  await sql.query(
    `INSERT INTO group_members (group_id, user_id, directory_id)
     SELECT $1::uuid, id, $2::uuid FROM scim_users WHERE directory_id = $2::uuid AND user_name_norm NOT LIKE 'reserve%'
     ORDER BY created_at LIMIT $3`,
    [groupId, directoryId, size - reserve],
  );
  await sql.query(`UPDATE scim_groups SET member_count = (SELECT count(*) FROM group_members WHERE group_id = $1) WHERE id = $1`, [
    groupId,
  ]);
  await sql.query("VACUUM ANALYZE group_members");
  const members = (await sql.query<{ n: number }>(`SELECT member_count AS n FROM scim_groups WHERE id = $1`, [groupId])).rows[0]!.n;
  process.stderr.write(`  seeded group with ${members} members in ${round((performance.now() - t0) / 1000, 1)} s\n`);
  const label = (p: string) => `${p} (group of ${Math.round(members / 1000)}k)`;

  let latency = new LatencyRecorder();
  for (let k = 0; k < probes; k++)
    await time(latency, () => scim.expect(200, "GET", `${prefix}/Groups/${groupId}?excludedAttributes=members`));
  record(size, label("GET /Groups/{id}?excludedAttributes=members"), latency);

  const outside = (
    await sql.query<{ id: string }>(
      `SELECT id FROM scim_users u WHERE directory_id = $1 AND NOT EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = $2 AND m.user_id = u.id) ORDER BY id`,
      [directoryId, groupId],
    )
  ).rows.map((r) => r.id);
  latency = new LatencyRecorder();
  for (let k = 0; k + 1000 <= outside.length; k += 1000) {
    await time(latency, () => scim.expect([200, 204], "PATCH", `${prefix}/Groups/${groupId}`, entraAddMembers(outside.slice(k, k + 1000))));
  }
  record(size, label("PATCH /Groups add 1,000 members"), latency);

  const some = (await sql.query<{ user_id: string }>(`SELECT user_id FROM group_members WHERE group_id = $1 LIMIT $2`, [groupId, probes]))
    .rows;
  latency = new LatencyRecorder();
  for (const m of some)
    await time(latency, () => scim.expect([200, 204], "PATCH", `${prefix}/Groups/${groupId}`, entraRemoveMember(m.user_id)));
  record(size, label("PATCH /Groups remove 1 member"), latency);

  const mid = (
    await sql.query<{ user_id: string }>(`SELECT user_id FROM group_members WHERE group_id = $1 ORDER BY user_id OFFSET $2 LIMIT 1`, [
      groupId,
      Math.floor(members / 2),
    ])
  ).rows[0]!;
  for (const [probe, query] of [
    ["admin members page 1 (limit=100)", "limit=100"],
    ["admin members mid cursor page (limit=100)", `limit=100&cursor=${encodeIdCursor(mid.user_id)}`],
  ] as const) {
    latency = new LatencyRecorder();
    for (let k = 0; k < Math.max(5, Math.floor(probes / 10)); k++) {
      await time(latency, () => admin.expect(200, "GET", `/api/v1/directories/${directoryId}/groups/${groupId}/members?${query}`));
    }
    record(size, label(probe), latency);
  }
}

/** Each probe's p50 at the largest size over its p50 at the smallest (targets: ≤ 1.3 for filters). */
export function growthRatios(rows: GrowthRow[]) {
  const sizes = [...new Set(rows.map((r) => r.users))].sort((a, b) => a - b);
  const small = sizes[0];
  const big = sizes[sizes.length - 1];
  if (small === undefined || big === undefined || small === big) return [];
  return [...new Set(rows.map((r) => r.probe))].flatMap((probe) => {
    const a = rows.find((r) => r.probe === probe && r.users === small);
    const b = rows.find((r) => r.probe === probe && r.users === big);
    if (!a || !b) return [];
    return [
      { probe, [`p50 @${small}`]: a.latencyMs.p50, [`p50 @${big}`]: b.latencyMs.p50, ratio: round(b.latencyMs.p50 / a.latencyMs.p50, 2) },
    ];
  });
}

/** The issue's growth targets with the measured values. */
export function growthTargets(rows: GrowthRow[]) {
  const out: { target: string; measured: string; met: boolean }[] = [];
  for (const r of growthRatios(rows)) {
    if (!r.probe.startsWith("filter")) continue;
    out.push({ target: `${r.probe}: p50 at largest size ≤ 1.3 × p50 at smallest`, measured: `${r.ratio} ×`, met: r.ratio <= 1.3 });
  }
  const find = (prefix: string) => rows.find((r) => r.probe.startsWith(prefix));
  const excluded = find("GET /Groups/{id}?excludedAttributes=members");
  if (excluded)
    out.push({ target: `${excluded.probe}: p50 < 5 ms`, measured: `${excluded.latencyMs.p50} ms`, met: excluded.latencyMs.p50 < 5 });
  const add = find("PATCH /Groups add 1,000 members");
  if (add)
    out.push({
      target: `${add.probe}: < 250 ms (p50)`,
      measured: `${add.latencyMs.p50} ms (max ${add.latencyMs.max})`,
      met: add.latencyMs.p50 < 250,
    });
  return out.map((t) => ({ target: t.target, measured: t.measured, met: t.met ? "yes" : "NO" }));
}

export function growthTable(rows: GrowthRow[]) {
  return rows.map((r) => ({
    probe: r.probe,
    users: r.users,
    n: r.requests,
    "p50 ms": r.latencyMs.p50,
    "p95 ms": r.latencyMs.p95,
    "max ms": r.latencyMs.max,
  }));
}

export function growthArgs(argv = process.argv.slice(2)) {
  const values = benchFlags(argv);
  const sizes = values.sizes ?? (values.large ? "10000,100000,1000000" : "10000,100000");
  return { sizes: sizes.split(",").map(Number), probes: Number(values.probes), dist: !values.tsx, cpuProf: values["cpu-prof"] };
}

if (isMain(import.meta.url)) {
  const opts = growthArgs();
  const info = await runInfo();
  const rows = await runGrowth(opts);
  printTable("Growth: one directory, users seeded with SQL; latency per request, one request in flight", growthTable(rows));
  printTable("Growth ratios (p50 at largest size / p50 at smallest)", growthRatios(rows));
  printTable("Growth targets", growthTargets(rows));
  console.log(`\nwrote ${writeResult("growth", info, { options: opts, rows, ratios: growthRatios(rows) })}`);
}
