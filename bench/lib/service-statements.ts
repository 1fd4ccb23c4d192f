import type { SqlRunner } from "../../src/db/database.js";
import { type Sql, toQuery } from "../../src/db/sql.js";
import { findGroupForChange, insertGroup, updateGroupIfVersion } from "../../src/groups/group-store.js";
import { toAppUser } from "../../src/users/app-user.js";
import { queryUsers } from "../../src/users/user-service.js";
import { findUser, insertUser, updateUserIfVersion, type UserRecord } from "../../src/users/user-store.js";
import { promoteUserColumns } from "../../src/scim/resource/user-attributes.js";
import { entraGroup, entraUser } from "./entra-bodies.js";

// The service's exact statements for pgbench (issue 11: the raw limit runs "the service's exact
// statements"): each scenario's statements are captured from the service's own stores (a SqlRunner that
// records instead of running), with the parameters of one sample request. Parameters that must vary per
// transaction (directory, ids, unique names, the version a PATCH read) are sentinels, swapped for pgbench
// expressions; every other parameter is passed as it is (a -D variable). A PATCH's read stores the row's
// version with \gset for its version-checked write, as the service does.

/** The directory sentinel; inside a JSON parameter (the events' directory) pgbench.ts swaps it with replace(). */
export const DIR = "00000000-0000-4000-8000-0000000000d1";
const USER = "00000000-0000-4000-8000-0000000000a1";
const GROUP = "00000000-0000-4000-8000-0000000000b1";
const NEW_ID = "00000000-0000-4000-8000-0000000000c1";
const USER_NAME = "sentinel-user@bench.example";
const VERSION = 987654321;
/** A seeded group's name (pgbench.ts seeds 'Group <g>'), swapped for the group the transaction picks. */
const GROUP_NAME = "Sentinel Group";

export interface ServiceStatement {
  text: string;
  /** pgbench expression per $n, or undefined: pass values[n-1] as a -D variable. */
  expressions: (string | undefined)[];
  values: unknown[];
  /** \gset after this statement (a read whose version the next statement uses). */
  gset?: boolean;
}

export interface ServiceScript {
  scenario: string;
  set: string[];
  statements: ServiceStatement[];
}

function capture(): { runner: SqlRunner; statements: Sql[] } {
  const statements: Sql[] = [];
  const runner: SqlRunner = {
    async query(s) {
      statements.push(s);
      return [];
    },
    async execute(s) {
      statements.push(s);
      return 0;
    },
  };
  return { runner, statements };
}

/** The pgbench expression standing for a sentinel value, for this scenario's variables. */
function expressionsOf(values: unknown[], sentinels: Map<unknown, string>): (string | undefined)[] {
  return values.map((v) => {
    if (v instanceof Date) return "now()";
    if (Array.isArray(v) && v.length === 1 && sentinels.has(v[0])) return `ARRAY[${sentinels.get(v[0])}]`;
    return sentinels.get(v);
  });
}

function statementsOf(captured: Sql[], sentinels: Map<unknown, string>, gsetFirst = false): ServiceStatement[] {
  return captured.map((s, i) => {
    const { text, values } = toQuery(s);
    return { text, values, expressions: expressionsOf(values, sentinels), gset: gsetFirst && i === 0 };
  });
}

const seedId = (k: string) => `md5(:dir || '/' || ${k})::uuid`;
const unique = `'pgb-' || :client_id || '-' || :n || '@bench.example'`;

function sampleUser(id: string): UserRecord {
  const resource = entraUser(USER_NAME) as Record<string, unknown>;
  const { userNameNorm: _, ...cols } = promoteUserColumns(resource);
  return { id, directoryId: DIR, ...cols, resource, attributes: {}, version: VERSION, createdAt: new Date(), updatedAt: new Date() };
}

/** The service's statements of each scenario bench:pgbench runs (users over the seeded directory). */
export async function serviceScripts(seedUsers: number, seedGroups: number): Promise<ServiceScript[]> {
  const scripts: ServiceScript[] = [];
  const base = new Map<unknown, string>([[DIR, ":dir"]]);

  {
    const { runner, statements } = capture();
    const user = sampleUser(NEW_ID);
    await insertUser(runner, { ...user, userNameNorm: USER_NAME, at: new Date() }, [
      { type: "user.created", directoryId: DIR, data: toAppUser(user) },
    ]);
    const s = new Map(base).set(NEW_ID, "gen_random_uuid()").set(USER_NAME, unique);
    scripts.push({ scenario: "POST /Users", set: ["\\set n random(1, 1000000000000)"], statements: statementsOf(statements, s) });
  }
  {
    const { runner, statements } = capture();
    await queryUsers(runner, DIR, { filter: `userName eq "${USER_NAME}"` }, 100);
    const s = new Map(base).set(USER_NAME.toLowerCase(), "'user' || :k || '@growth.example'");
    scripts.push({
      scenario: "GET /Users?filter=userName eq",
      set: [`\\set k random(1, ${seedUsers})`],
      statements: statementsOf(statements, s),
    });
  }
  {
    const { runner, statements } = capture();
    await findUser(runner, DIR, USER, { groups: true });
    const s = new Map(base).set(USER, seedId(":k"));
    scripts.push({ scenario: "GET /Users/{id}", set: [`\\set k random(1, ${seedUsers})`], statements: statementsOf(statements, s) });
  }
  {
    const { runner, statements } = capture();
    await findUser(runner, DIR, USER, {});
    const current = sampleUser(USER);
    const resource = { ...current.resource, active: false };
    const cols = promoteUserColumns(resource);
    const at = new Date();
    await updateUserIfVersion(runner, current, cols, resource, { attributes: {}, warnings: [] }, at, [
      { type: "user.deactivated", directoryId: DIR, data: toAppUser({ ...current, ...cols, resource, updatedAt: at }) },
    ]);
    const s = new Map(base)
      .set(USER, seedId(":k"))
      .set(USER_NAME, "'user' || :k || '@growth.example'")
      .set(VERSION, ":p_version")
      .set(false, ":a = 1");
    scripts.push({
      scenario: "PATCH /Users (Entra disable)",
      set: [`\\set k random(1, ${seedUsers})`, "\\set a random(0, 1)"],
      statements: statementsOf(statements, s, true),
    });
  }
  {
    const { runner, statements } = capture();
    const at = new Date();
    const resource = entraGroup("sentinel group") as Record<string, unknown>;
    await insertGroup(
      runner,
      { id: NEW_ID, directoryId: DIR, displayName: USER_NAME, externalId: "ext", resource, at },
      [],
      [{ type: "group.created", directoryId: DIR }],
    );
    const s = new Map(base).set(NEW_ID, "gen_random_uuid()").set(USER_NAME, unique).set(USER_NAME.toLowerCase(), `lower(${unique})`);
    scripts.push({ scenario: "POST /Groups", set: ["\\set n random(1, 1000000000000)"], statements: statementsOf(statements, s) });
  }
  {
    const { runner, statements } = capture();
    await findGroupForChange(runner, DIR, GROUP, [USER], false);
    const user = sampleUser(USER);
    await updateGroupIfVersion(
      runner,
      { id: GROUP, directoryId: DIR, version: VERSION },
      {
        cols: { displayName: GROUP_NAME, externalId: "ext" },
        resource: entraGroup("Group") as Record<string, unknown>,
        add: [USER],
        remove: [],
        at: new Date(),
        events: [{ type: "group.user_added", directoryId: DIR, user: toAppUser(user) }],
      },
    );
    const s = new Map(base)
      .set(USER, seedId(":k"))
      .set(GROUP, "md5('group-' || :g)::uuid")
      .set(GROUP_NAME, "'Group ' || :g")
      .set(GROUP_NAME.toLowerCase(), "'group ' || :g")
      .set(VERSION, ":p_version");
    scripts.push({
      scenario: "PATCH /Groups add 1 member",
      set: [`\\set g random(1, ${seedGroups})`, `\\set k random(1, ${seedUsers})`],
      statements: statementsOf(statements, s, true),
    });
  }
  return scripts;
}
