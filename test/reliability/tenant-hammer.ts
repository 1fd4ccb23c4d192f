import http from "node:http";
import type net from "node:net";
import type pg from "pg";
import { startBackgroundJobs } from "../../src/startup/background-jobs.js";
import { expect } from "vitest";
import {
  type LiveDirectory,
  type LiveService,
  newGroup,
  newUser,
  patchBody,
  type ScimResponse,
  createLiveDirectory,
} from "./live-service.js";

// The tenant-isolation workload (rows, events, responses and webhooks) shared by the fast suite (2 × 250) and the soak suite (2 × 1,000).

/** A mixed SCIM workload on one directory: creates, updates, membership changes, deletes, lists. */
async function hammer(dir: LiveDirectory, tag: string, operations: number, otherIds: () => string[]): Promise<ScimResponse[]> {
  const users: string[] = [];
  const groups: string[] = [];
  const responses: ScimResponse[] = [];
  const step = async (i: number) => {
    const kind = i % 10;
    let res: ScimResponse;
    if (kind < 3 || users.length < 5) {
      res = await dir.scim("POST", "/Users", newUser(`${tag}-${i}@example.com`, { externalId: `${tag}-${i}`, displayName: `${tag} ${i}` }));
      if (res.status === 201) users.push(res.body.id as string);
    } else if (kind === 3 && groups.length < 20) {
      res = await dir.scim("POST", "/Groups", newGroup(`${tag}-group-${i}`));
      if (res.status === 201) groups.push(res.body.id as string);
    } else if (kind <= 5 && groups.length > 0) {
      const value = users.slice(-3).map((id) => ({ value: id }));
      res = await dir.scim("PATCH", `/Groups/${groups[i % groups.length]}`, patchBody({ op: "add", path: "members", value }));
    } else if (kind === 6) {
      res = await dir.scim(
        "PATCH",
        `/Users/${users[i % users.length]}`,
        patchBody({ op: "replace", path: "title", value: `${tag}-title-${i}` }),
      );
    } else if (kind === 7 && users.length > 10) {
      const [victim] = users.splice(i % users.length, 1);
      res = await dir.scim("DELETE", `/Users/${victim}`);
    } else if (kind === 8) {
      // the other tenant's ids, used here, must never resolve or become members
      const foreign = otherIds()[i % Math.max(1, otherIds().length)];
      res = foreign
        ? await dir.scim("GET", `/Users/${foreign}`)
        : await dir.scim("GET", `/Users?filter=${encodeURIComponent(`userName sw "${tag}"`)}`);
      if (foreign && groups.length > 0) {
        const add = await dir.scim("PATCH", `/Groups/${groups[0]}`, patchBody({ op: "add", path: "members", value: [{ value: foreign }] }));
        expect(add.status, add.text).toBe(400);
      }
    } else {
      res = await dir.scim("GET", `/Users?filter=${encodeURIComponent(`userName sw "${tag}"`)}&count=50`);
    }
    responses.push(res);
  };
  // 8 parallel clients per directory, like an IdP's provisioning threads
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < operations) await step(next++);
    }),
  );
  (dir as LiveDirectory & { userIds?: string[] }).userIds = users;
  return responses;
}

async function startReceiver(): Promise<{ url: string; bodies: string[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      bodies.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook`,
    bodies,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** Two tenants' IdPs writing at once; afterwards nothing of one is visible in, or attached to, the other. */
export async function hammerTwoTenants(live: LiveService, sql: pg.Pool, operations: number): Promise<void> {
  const count = async (query: string, params: unknown[]) =>
    (await sql.query(`SELECT count(*)::int AS n FROM ${query}`, params)).rows[0].n as number;
  // each tenant's app has its own webhook receiver; the delivery worker runs in the service process
  const receivers = { a: await startReceiver(), b: await startReceiver() };
  const a = await createLiveDirectory(live, "Tenant A", { tenant: "tenant-a", webhook: { url: receivers.a.url } });
  const b = await createLiveDirectory(live, "Tenant B", { tenant: "tenant-b", webhook: { url: receivers.b.url } });
  const jobs = startBackgroundJobs(live.app);
  const idsOf = async (dir: LiveDirectory) =>
    (await sql.query("SELECT id FROM scim_users WHERE directory_id = $1", [dir.id])).rows.map((r) => r.id as string);
  let aIds: string[] = [];
  let bIds: string[] = [];
  const refresh = setInterval(() => {
    void idsOf(a).then((ids) => (aIds = ids));
    void idsOf(b).then((ids) => (bIds = ids));
  }, 200);
  let results: ScimResponse[][];
  try {
    results = await Promise.all([hammer(a, "alpha", operations, () => bIds), hammer(b, "bravo", operations, () => aIds)]);
  } finally {
    clearInterval(refresh);
  }
  try {
    // every event of a directory reaches that directory's receiver, and only that one
    for (const [dir, receiver] of [
      [a, receivers.a],
      [b, receivers.b],
    ] as const) {
      const events = await count("events WHERE directory_id = $1", [dir.id]);
      const deadline = Date.now() + 30_000;
      while (receiver.bodies.length < events && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(receiver.bodies.length).toBe(events);
    }
    for (const [receiver, own, otherId, otherTag] of [
      [receivers.a, a.id, b.id, "bravo"],
      [receivers.b, b.id, a.id, "alpha"],
    ] as const) {
      for (const body of receiver.bodies) {
        expect(body.includes(own) && !body.includes(otherId) && !body.includes(otherTag), body.slice(0, 300)).toBe(true);
      }
    }
  } finally {
    await jobs.stop();
    await receivers.a.close();
    await receivers.b.close();
  }
  for (const [dir, tag, responses, otherTag] of [
    [a, "alpha", results[0], "bravo"],
    [b, "bravo", results[1], "alpha"],
  ] as const) {
    const errors = responses.filter((r) => r.status >= 500);
    expect(errors.map((r) => r.text)).toEqual([]);
    // no response of one tenant mentions the other's data
    for (const r of responses) expect(r.text.includes(otherTag), r.text.slice(0, 300)).toBe(false);
    expect(await count("scim_users WHERE directory_id = $1 AND user_name NOT LIKE $2", [dir.id, `${tag}-%`])).toBe(0);
    expect(await count("scim_groups WHERE directory_id = $1 AND display_name NOT LIKE $2", [dir.id, `${tag}-%`])).toBe(0);
    expect(await count("events WHERE directory_id = $1 AND data::text LIKE $2", [dir.id, `%${otherTag}%`])).toBe(0);
    expect(await count("events WHERE directory_id = $1", [dir.id])).toBeGreaterThan(operations * 0.3);
  }
  // memberships join only users and groups of one directory, and carry that directory
  expect(
    await count(
      `group_members m JOIN scim_users u ON u.id = m.user_id JOIN scim_groups g ON g.id = m.group_id
       WHERE NOT (u.directory_id = g.directory_id AND g.directory_id = m.directory_id)`,
      [],
    ),
  ).toBe(0);
  // every event's subject lives (or lived) in the event's directory
  expect(
    await count(
      `events e JOIN scim_users u ON u.id::text = coalesce(e.data->'user'->>'id', e.data->>'id') WHERE (e.type LIKE 'user.%' OR e.type LIKE 'group.user_%') AND u.directory_id <> e.directory_id`,
      [],
    ),
  ).toBe(0);
}
