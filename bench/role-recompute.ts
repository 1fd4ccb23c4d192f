import { createHash, randomUUID } from "node:crypto";
import pg from "pg";
import { createDatabase } from "../src/db/database.js";
import { patchGroup } from "../src/groups/group-service.js";
import { putRole, putRoleMapping } from "../src/roles/role-service.js";
import { isMain } from "./lib/args.js";
import { createBenchDatabase } from "./lib/bench-database.js";
import { printTable, runInfo, writeResult } from "./lib/report.js";
import { seededUserId, seedUsers } from "./lib/seed-users.js";

// Roles from groups (issue 16), on a 10,000-user directory whose users are in 50 groups of 200:
// - a role mapping PUT that changes every user's roles (10k user.roles_changed), and the same PUT again
//   (nothing changes: the recompute only reads);
// - a group PATCH adding and removing one member, in a directory without a mapping (the one-statement path)
//   and with one (a transaction with the recompute).

const USERS = 10_000;
const GROUPS = 50;
const PATCHES = 300;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: Math.round(performance.now() - start), value };
}

export async function runRoleRecompute(): Promise<Record<string, string | number>[]> {
  const database = await createBenchDatabase("roles");
  const db = createDatabase({ url: database.url, poolSize: 4, statementTimeoutMs: 120_000 });
  const rows: Record<string, string | number>[] = [];
  try {
    const seed = new pg.Client({ connectionString: database.url });
    await seed.connect();
    const directories = [randomUUID(), randomUUID()];
    const groupIds: Record<string, string[]> = {};
    for (const dir of directories) {
      await seed.query("INSERT INTO directories (id, name) VALUES ($1, 'roles bench')", [dir]);
      await seedUsers(seed, dir, 1, USERS);
      groupIds[dir] = [];
      for (let g = 0; g < GROUPS; g++) {
        const id = randomUUID();
        groupIds[dir].push(id);
        await seed.query(
          `INSERT INTO scim_groups (id, directory_id, display_name, display_name_norm, resource, member_count)
           VALUES ($1, $2, $3, lower($3), jsonb_build_object('displayName', $3::text), 200)`,
          [id, dir, `Group ${g}`],
        );
        await seed.query(
          `INSERT INTO group_members (group_id, user_id, directory_id)
           SELECT $1::uuid, ${seededUserId("$2::text", "i")}, $2::uuid FROM generate_series($3::int, $4::int) AS i`,
          [id, dir, g * 200 + 1, g * 200 + 200],
        );
      }
    }
    await seed.query("ANALYZE");
    await seed.end();
    for (const r of ["admin", "editor", "viewer"]) await putRole(db, r, {});
    const [plain, mapped] = directories as [string, string];
    const mapping = {
      defaultRole: "viewer",
      rules: groupIds[mapped]!.map((id, i) => ({
        match: i % 2 ? { groupId: id } : { displayName: `GROUP ${i}` },
        role: i % 3 ? "editor" : "admin",
        priority: i,
      })),
    };
    const first = await timed(() => putRoleMapping(db, mapped, mapping));
    rows.push({ scenario: "PUT role mapping, 10k users change", ms: first.ms, usersChanged: first.value.usersChanged });
    const again = await timed(() => putRoleMapping(db, mapped, mapping));
    rows.push({ scenario: "PUT same role mapping, nothing changes", ms: again.ms, usersChanged: again.value.usersChanged });

    const limits = { maxOperations: 100, maxMembers: 1000 };
    for (const dir of [plain, mapped]) {
      const group = groupIds[dir]![0]!;
      const op = (kind: string, i: number) => ({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: kind, path: "members", value: [{ value: userIdOf(dir, 5000 + i) }] }],
      });
      const run = await timed(async () => {
        for (let i = 0; i < PATCHES; i++) {
          await patchGroup(db, dir, group, op("add", i), limits);
          await patchGroup(db, dir, group, op("remove", i), limits);
        }
      });
      rows.push({
        scenario: `group PATCH add+remove one member, ${dir === plain ? "no role mapping" : "role mapping (roles change each time)"}`,
        ms: Math.round((run.ms / (PATCHES * 2)) * 100) / 100,
        usersChanged: dir === plain ? 0 : PATCHES * 2,
      });
    }
  } finally {
    await db.close();
    await database.drop();
  }
  return rows;
}

/** The seeded id of user i (bench/lib/seed-users.ts computes it in SQL: md5(directory || '/' || i)). */
function userIdOf(directory: string, i: number): string {
  const hex = createHash("md5").update(`${directory}/${i}`).digest("hex") as string;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

if (isMain(import.meta.url)) {
  const rows = await runRoleRecompute();
  console.log(printTable("Roles from groups: recompute and group PATCH (ms; PATCH rows: per request, sequential)", rows));
  console.log(writeResult("role-recompute", await runInfo(), rows));
}
