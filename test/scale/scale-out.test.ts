import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverUrl } from "../helpers/test-database.js";
import { type Cluster, type ClusterDirectory, createClusterDirectory, startCluster } from "./cluster.js";
import { missingTools, ROOT, waitFor } from "./cluster-tools.js";
import { type EventReader, readEventLog } from "./event-cursor.js";
import { newSyncLog, type SyncLog, type SyncShape, syncTenants } from "./entra-sync.js";
import { createReplica, type Replica } from "./replicas.js";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook-receiver.js";

// Issue 14: three replicas of the built service behind HAProxy, PostgreSQL behind PgBouncer in transaction mode,
// everything on loopback (the set-up of docker/scale-out/). Entra's initial sync for 20 tenants runs through
// HAProxy while one replica is killed with SIGKILL and restarted, PgBouncer restarts, and all three replicas are
// restarted one at a time with SIGTERM. Then the database, the events API, the webhook receiver and a token
// revocation are held to what the issue promises.

const missing = missingTools();
if (missing && process.env.REQUIRE_SCALE === "1") throw new Error(`REQUIRE_SCALE=1 but ${missing}`);
if (missing) console.warn(`scale-out test skipped: ${missing}`);

const TENANTS = 20;
/** At least 100 users per tenant, more until the rolling restart is over, so the sync spans every fault. */
const SHAPE: SyncShape = {
  users: 100,
  groups: 3,
  membersPerGroup: 20,
  memberBatch: 5,
  moreUsers: () => faults.rollingDoneAt === undefined,
};
/** Requests the sync sends without faults: per user a match and a POST, per group a match, a POST and the PATCHes */
const PLANNED = TENANTS * (SHAPE.users * 2 + SHAPE.groups * (2 + Math.ceil(SHAPE.membersPerGroup / SHAPE.memberBatch)));
/** Deliveries a worker sends for one stream before it records them (src/webhooks/delivery-worker.ts STREAM_BATCH) */
const STREAM_BATCH = 100;
/**
 * WEBHOOK_LEASE_MS, the default: a stream held by the killed replica is sent again by another one after it. A
 * shorter lease makes a busy (not dead) worker lose its stream too, which is also at-least-once but not a fault.
 */
const LEASE_MS = 30_000;

interface FaultLog {
  killedAt?: number;
  pgbouncerRestartedAt?: number;
  rollingStartedAt?: number;
  rollingDoneAt?: number;
  /** When each replica got its SIGTERM */
  sigtermAt: number[];
  /** /readyz bodies each replica answered between SIGTERM and exit */
  drainAnswers: Record<string, string[]>;
  exitCodes: Record<string, number | null>;
}

const faults: FaultLog = { drainAnswers: {}, exitCodes: {}, sigtermAt: [] };

describe.skipIf(missing !== undefined)("scale out: 3 replicas behind HAProxy, PgBouncer in transaction mode", () => {
  let cluster: Cluster;
  let receiver: WebhookReceiver;
  let sql: pg.Pool;
  const directories: ClusterDirectory[] = [];
  const badAttempts: { at: number; problem: string }[] = [];
  const sync: SyncLog = newSyncLog((_ms, _status, problem) => {
    if (problem) badAttempts.push({ at: Date.now(), problem });
  });
  let syncDoneAt = 0;
  let liveReader: EventReader;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    cluster = await startCluster({
      serverUrl: serverUrl(),
      replicas: 3,
      pooling: "transaction",
      env: {
        LOG_LEVEL: "warn",
        SHUTDOWN_DRAIN_MS: "2000",
        WEBHOOK_LEASE_MS: String(LEASE_MS),
      },
    });
    sql = new pg.Pool({ connectionString: cluster.databaseUrl, max: 2 });
    for (let t = 0; t < TENANTS; t++) {
      const dir = await createClusterDirectory(cluster, cluster.haproxy.url, `Tenant ${t}`, receiver.urlFor(String(t)));
      receiver.register(String(t), dir.id, dir.webhookSecret!);
      directories.push(dir);
    }
  }, 180_000);

  afterAll(async () => {
    await sql?.end();
    await cluster?.stop();
    await receiver?.close();
  }, 60_000);

  /** SIGTERM, then /readyz answers are collected until the process exits; then started again and back UP in HAProxy. */
  async function restartGracefully(index: number): Promise<void> {
    const replica = cluster.replicas[index]!;
    const answers: string[] = [];
    faults.drainAnswers[replica.name] = answers;
    faults.sigtermAt.push(Date.now());
    const exit = replica.stop("SIGTERM");
    let exited = false;
    void exit.then(() => (exited = true));
    while (!exited) {
      try {
        const res = await fetch(`${replica.url}/readyz`);
        answers.push(`${res.status} ${await res.text()}`);
      } catch {
        // the listener has closed
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    faults.exitCodes[replica.name] = await exit;
    await replica.start();
    await cluster.haproxy.waitForState(index + 1, "UP");
  }

  /** The faults in sequence, each started by the number of requests sent so far. */
  async function runFaults(): Promise<void> {
    const afterAttempts = (n: number) => waitFor(`${n} requests sent`, 120_000, async () => sync.attempts >= n, 20);
    await afterAttempts(Math.round(PLANNED * 0.02));
    faults.killedAt = Date.now();
    await cluster.replicas[1]!.stop("SIGKILL");
    await cluster.replicas[1]!.start();
    await cluster.haproxy.waitForState(2, "UP");

    faults.pgbouncerRestartedAt = Date.now();
    await cluster.pgbouncer!.restart();

    await afterAttempts(sync.attempts + 100);
    faults.rollingStartedAt = Date.now();
    for (let i = 0; i < cluster.replicas.length; i++) await restartGracefully(i);
    faults.rollingDoneAt = Date.now();
  }

  it("replays Entra's initial sync for 20 tenants through a kill -9, a PgBouncer restart and a rolling restart", async () => {
    let tableCount: number | undefined;
    const readerDeadline = () => Date.now() > syncDoneAt + 60_000;
    // an app pulling the events API through HAProxy (a page from any replica) while the sync runs
    liveReader = { ids: [], pages: 0, refusals: 0 };
    const reading = readEventLog(
      cluster.haproxy.url,
      cluster.adminKey,
      () => tableCount !== undefined && (liveReader.ids.length >= tableCount || readerDeadline()),
      liveReader,
    );
    const syncStartedAt = Date.now();
    const faulting = runFaults();
    faulting.catch(() => {}); // its failure is reported below, once the sync has ended
    await syncTenants(
      cluster.haproxy.url,
      directories.map((d, index) => ({ index, directoryId: d.id, scimPath: d.scimPath, token: d.token })),
      SHAPE,
      sync,
    );
    syncDoneAt = Date.now();
    await faulting;
    tableCount = Number((await sql.query("SELECT count(*) AS n FROM events")).rows[0].n);
    await reading;
    const readerDoneAt = Date.now();
    const transitions = cluster.haproxy
      .output()
      .split("\n")
      .filter((l) => / is (UP|DOWN)|no server available/.test(l) && !l.startsWith("["));
    console.log(`HAProxy:\n${transitions.join("\n")}`);
    const t = (at: number | undefined) => (at === undefined ? "-" : `${((at - syncStartedAt) / 1000).toFixed(1)} s`);
    console.log(
      `sync: ${sync.attempts} requests (${sync.retries} retries) in ${t(syncDoneAt)}; kill -9 at ${t(faults.killedAt)}, ` +
        `PgBouncer restart at ${t(faults.pgbouncerRestartedAt)}, rolling restart ${t(faults.rollingStartedAt)} to ${t(faults.rollingDoneAt)}; ` +
        `events reader caught up at ${t(readerDoneAt)} (${liveReader.pages} pages, ${liveReader.refusals} refused)`,
    );

    expect(sync.failures).toEqual([]);
    // the faults happened while the sync was running: the last replica got its SIGTERM before the sync ended
    expect(faults.sigtermAt).toHaveLength(3);
    expect(Math.max(...faults.sigtermAt)).toBeLessThan(syncDoneAt);
    expect(sync.retries).toBeGreaterThan(0);
    // every replica drained: /readyz answered 503 draining after SIGTERM, and the process exited cleanly
    for (const r of cluster.replicas) {
      expect(faults.drainAnswers[r.name]!.some((a) => a.startsWith("503") && a.includes('"draining"'))).toBe(true);
      expect(faults.exitCodes[r.name]).toBe(0);
    }
    // no request in flight was lost on the rolling restart: the client never saw a failure while it ran
    expect(badAttempts.filter((a) => a.at >= faults.rollingStartedAt! && a.at <= faults.rollingDoneAt!)).toEqual([]);
  }, 300_000);

  it("stores every acknowledged write with its event, and no user twice", async () => {
    const users = new Map((await sql.query("SELECT id, directory_id, user_name FROM scim_users")).rows.map((r) => [r.id as string, r]));
    const groups = new Map(
      (await sql.query("SELECT id, directory_id, display_name FROM scim_groups")).rows.map((r) => [r.id as string, r]),
    );
    const created = await sql.query(
      "SELECT type, data->>'id' AS id, count(*)::int AS n FROM events WHERE type IN ('user.created', 'group.created') GROUP BY 1, 2",
    );
    const createdEvents = new Map(created.rows.map((r) => [`${r.type} ${r.id}`, r.n as number]));
    const added = await sql.query(
      "SELECT data->'group'->>'id' AS g, data->'user'->>'id' AS u, count(*)::int AS n FROM events WHERE type = 'group.user_added' GROUP BY 1, 2",
    );
    const addedEvents = new Map(added.rows.map((r) => [`${r.g} ${r.u}`, r.n as number]));
    const members = new Set((await sql.query("SELECT group_id, user_id FROM group_members")).rows.map((r) => `${r.group_id} ${r.user_id}`));

    const problems: string[] = [];
    for (const w of sync.writes) {
      if (w.kind === "user") {
        const row = users.get(w.id);
        if (row?.directory_id !== w.directoryId || row.user_name !== w.userName) problems.push(`user ${w.userName} (${w.id}) not stored`);
        if (createdEvents.get(`user.created ${w.id}`) !== 1)
          problems.push(`user ${w.id}: ${createdEvents.get(`user.created ${w.id}`) ?? 0} user.created events`);
      } else if (w.kind === "group") {
        if (groups.get(w.id)?.directory_id !== w.directoryId) problems.push(`group ${w.displayName} (${w.id}) not stored`);
        if (createdEvents.get(`group.created ${w.id}`) !== 1) problems.push(`group ${w.id}: no single group.created event`);
      } else {
        for (const u of w.memberIds!) {
          if (!members.has(`${w.id} ${u}`)) problems.push(`member ${u} of group ${w.id} not stored`);
          if (addedEvents.get(`${w.id} ${u}`) !== 1) problems.push(`member ${u} of group ${w.id}: no single group.user_added event`);
        }
      }
    }
    expect(problems).toEqual([]);
    const userWrites = sync.writes.filter((w) => w.kind === "user");
    for (let t = 0; t < TENANTS; t++) expect(userWrites.filter((w) => w.tenant === t).length).toBeGreaterThanOrEqual(SHAPE.users);
    expect(sync.writes.filter((w) => w.kind === "group")).toHaveLength(TENANTS * SHAPE.groups);

    // converged: exactly one user per (directory, userName), every user and group of every tenant
    const duplicates = await sql.query(
      "SELECT directory_id, user_name, count(*)::int AS n FROM scim_users GROUP BY 1, 2 HAVING count(*) > 1",
    );
    expect(duplicates.rows).toEqual([]);
    expect(users.size).toBe(userWrites.length);
    expect(groups.size).toBe(TENANTS * SHAPE.groups);
    expect(members.size).toBe(TENANTS * SHAPE.groups * SHAPE.membersPerGroup);
  });

  it("serves a gap-free events cursor that equals the events table, through HAProxy and through another replica", async () => {
    const table = (await sql.query("SELECT id::text AS id FROM events ORDER BY txid, id")).rows.map((r) => r.id as string);
    expect(table.length).toBeGreaterThan(TENANTS * SHAPE.users);
    // read while the sync and the faults ran, page by page from whichever replica HAProxy chose
    expect(liveReader.ids).toEqual(table);
    // read again from the start through replica 3 only (the writes came through all three)
    const replica3 = await readEventLog(cluster.replicas[2]!.url, cluster.adminKey, () => true);
    expect(replica3.ids).toEqual(table);
    expect(replica3.refusals).toBe(0);
  });

  it("delivers every event to its webhook receiver; duplicates only from a batch in flight at the kill or the pooler restart", async () => {
    const events = (await sql.query("SELECT id::text AS id, directory_id FROM events")).rows as { id: string; directory_id: string }[];
    await waitFor(
      "every event delivered",
      LEASE_MS + 90_000,
      async () => {
        const got = new Set(receiver.receipts.map((r) => r.eventId));
        return events.every((e) => got.has(e.id));
      },
      250,
    );
    expect(receiver.rejected).toEqual([]);
    for (const e of events) expect(receiver.receipts.find((r) => r.eventId === e.id)?.directoryId).toBe(e.directory_id);
    expect(receiver.receipts.every((r) => r.webhookId === `evt_${r.eventId}`)).toBe(true);

    const first = new Map<string, number>();
    const duplicates: { webhookId: string; directoryId: string; firstAt: number }[] = [];
    for (const r of receiver.receipts) {
      const at = first.get(r.webhookId);
      if (at === undefined) first.set(r.webhookId, r.at);
      else duplicates.push({ webhookId: r.webhookId, directoryId: r.directoryId, firstAt: at });
    }
    console.log(
      `webhooks: ${receiver.receipts.length} deliveries of ${events.length} events, ${duplicates.length} duplicates ` +
        `in ${new Set(duplicates.map((d) => d.directoryId)).size} directories`,
    );
    // a batch a worker had sent but not yet recorded: first delivered at most one lease before the fault
    const inFlightAt = (fault: number | undefined, d: { firstAt: number }) =>
      fault !== undefined && d.firstAt <= fault + 1000 && d.firstAt >= fault - LEASE_MS;
    const unexplained = duplicates
      .filter((d) => !inFlightAt(faults.killedAt, d) && !inFlightAt(faults.pgbouncerRestartedAt, d))
      .map((d) => ({
        ...d,
        msAfterKill: d.firstAt - faults.killedAt!,
        msAfterPgBouncerRestart: d.firstAt - faults.pgbouncerRestartedAt!,
        msAfterSigterms: faults.sigtermAt.map((t) => d.firstAt - t),
      }));
    expect(unexplained).toEqual([]);
    const perDirectory = new Map<string, number>();
    for (const d of duplicates) perDirectory.set(d.directoryId, (perDirectory.get(d.directoryId) ?? 0) + 1);
    // at most one batch per stream per fault
    for (const n of perDirectory.values()) expect(n).toBeLessThanOrEqual(2 * STREAM_BATCH);
  }, 180_000);

  it("refuses a token revoked through replica A on replicas B and C within 1 s, and a directory disabled there too", async () => {
    const [a, b, c] = cluster.replicas as [Replica, Replica, Replica];
    const dir = directories[0]!;
    const issued = await cluster.admin<{ id: string; secretToken: string }>(a.url, "POST", `/directories/${dir.id}/tokens`);
    const scim = (replica: Replica, token: string, id = dir.id) =>
      fetch(`${replica.url}/scim/v2/${id}/Users?count=1`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    // B and C have seen the token (and cached it)
    for (const r of [b, c]) expect(await scim(r, issued.secretToken)).toBe(200);

    const refusedWithin = async (replica: Replica, token: string, status: number, id?: string) => {
      const t0 = Date.now();
      while (Date.now() - t0 < 1000) {
        if ((await scim(replica, token, id)) === status) return Date.now() - t0;
        await new Promise((r) => setTimeout(r, 20));
      }
      return undefined;
    };
    await cluster.admin(a.url, "DELETE", `/directories/${dir.id}/tokens/${issued.id}`);
    const revoked = await Promise.all([refusedWithin(b, issued.secretToken, 401), refusedWithin(c, issued.secretToken, 401)]);
    console.log(`token revoked on replica1: refused by replica2 after ${revoked[0]} ms, replica3 after ${revoked[1]} ms`);
    expect(revoked.every((ms) => ms !== undefined)).toBe(true);

    const other = directories[1]!;
    for (const r of [b, c]) expect(await scim(r, other.token, other.id)).toBe(200);
    await cluster.admin(a.url, "PATCH", `/directories/${other.id}`, { disabled: true });
    const disabled = await Promise.all([refusedWithin(b, other.token, 403, other.id), refusedWithin(c, other.token, 403, other.id)]);
    expect(disabled.every((ms) => ms !== undefined)).toBe(true);
  });

  it("starts two replicas of a newer version at once, which apply its new migration exactly once", async () => {
    const MIGRATION = "29990101000000_scale_test_upgrade_probe";
    // the newer build: this dist/ and migrations, plus one migration (a plain CREATE TABLE fails if run twice)
    const appDir = mkdtempSync(`${tmpdir()}/scimbridge-newer-`);
    cpSync(`${ROOT}dist`, `${appDir}/dist`, { recursive: true });
    cpSync(`${ROOT}prisma/migrations`, `${appDir}/prisma/migrations`, { recursive: true });
    cpSync(`${ROOT}package.json`, `${appDir}/package.json`);
    symlinkSync(`${ROOT}node_modules`, `${appDir}/node_modules`, "dir");
    mkdirSync(`${appDir}/prisma/migrations/${MIGRATION}`);
    writeFileSync(
      `${appDir}/prisma/migrations/${MIGRATION}/migration.sql`,
      "-- test-only: proves a new version's migration runs once\nCREATE TABLE scale_upgrade_probe (id integer PRIMARY KEY);\n",
    );
    const newer = await Promise.all(["newer1", "newer2"].map((name) => createReplica({ name, env: cluster.replicaEnv, appDir })));
    try {
      await Promise.all(newer.map((r) => r.start()));
      for (const r of newer) expect((await fetch(`${r.url}/readyz`)).status).toBe(200);
      const rows = await sql.query(`SELECT finished_at FROM "_prisma_migrations" WHERE migration_name = $1`, [MIGRATION]);
      expect(rows.rows).toHaveLength(1);
      expect(rows.rows[0].finished_at).not.toBeNull();
      expect((await sql.query("SELECT to_regclass('scale_upgrade_probe') IS NOT NULL AS present")).rows[0].present).toBe(true);
      // the older replicas keep serving next to the newer ones (a rolling upgrade)
      for (const r of cluster.replicas) expect((await fetch(`${r.url}/readyz`)).status).toBe(200);
    } finally {
      await Promise.all(newer.map((r) => r.stop()));
      for (const r of newer) r.remove();
      rmSync(appDir, { recursive: true, force: true });
    }
  }, 120_000);
});
