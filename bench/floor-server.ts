import Fastify from "fastify";
import pg from "pg";
import { isMain } from "./lib/args.js";

// The floor of this stack (issue 11): Fastify + pg on the migrated schema, doing each SCIM scenario's
// database work — the same rows and columns the service writes, event row included — in ONE statement
// (one round trip; writes are CTEs, so the change and its event commit together), and nothing else: no
// auth, no logging, no request log, no metrics, no SCIM mapping (rows go out as plain JSON). The bench
// starts it as a child process (bench/lib/service.ts startFloor) so its CPU is read from /proc like the
// service's. Routes mirror the service's URLs, so bench/scim-ops.ts drives both with the same requests.
//
// Env: DATABASE_URL, PORT, HOST (127.0.0.1), FLOOR_PREPARED (true: named prepared statements, parsed and
// planned once per connection; false: unnamed statements, parsed and planned on every call),
// FLOOR_POOL_SIZE (20, the service's default DB_POOL_SIZE; idle connections are kept, so the Postgres
// backends live as long as the server).

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const USER_COLS = `u.id, u.directory_id, u.user_name, u.external_id, u.active, u.display_name, u.given_name, u.family_name,
  u.email, u.resource, u.attributes, u.version, u.created_at, u.updated_at`;
const GROUP_COLS = `g.id, g.directory_id, g.display_name, g.external_id, g.resource, g.member_count, g.version, g.created_at, g.updated_at`;

/** The event payload the service builds with toAppUser / toAppGroup, built in SQL from the written row. */
const appUser = (u: string) => `jsonb_build_object('id', ${u}.id, 'directoryId', ${u}.directory_id, 'externalId', ${u}.external_id,
  'userName', ${u}.user_name, 'email', ${u}.email, 'givenName', ${u}.given_name, 'familyName', ${u}.family_name,
  'displayName', ${u}.display_name, 'active', ${u}.active, 'title', ${u}.resource->>'title',
  'department', ${u}.resource->'${ENTERPRISE}'->>'department', 'manager', ${u}.resource->'${ENTERPRISE}'->'manager',
  'attributes', ${u}.attributes, 'customAttributes', jsonb_build_object('${ENTERPRISE}', ${u}.resource->'${ENTERPRISE}'), 'raw', ${u}.resource,
  'createdAt', ${u}.created_at, 'updatedAt', ${u}.updated_at)`;
const appGroup = (g: string) => `jsonb_build_object('id', ${g}.id, 'directoryId', ${g}.directory_id, 'externalId', ${g}.external_id,
  'displayName', ${g}.display_name, 'memberCount', ${g}.member_count, 'raw', ${g}.resource, 'createdAt', ${g}.created_at,
  'updatedAt', ${g}.updated_at)`;

/** One statement per scenario; pgbench's scripts (bench/pgbench/*.sql) run the same SQL. */
export const FLOOR_SQL = {
  createUser: `WITH u AS (
      INSERT INTO scim_users AS u (id, directory_id, user_name, user_name_norm, external_id, active, display_name, given_name, family_name, email, resource)
      VALUES ($1::uuid, $2::uuid, $3::text, lower($3::text), $4::text, $5::boolean, $6::text, $7::text, $8::text, $9::text, $10::jsonb)
      RETURNING ${USER_COLS}),
    e AS (INSERT INTO events (directory_id, type, data) SELECT u.directory_id, 'user.created', ${appUser("u")} FROM u)
    SELECT * FROM u`,
  setUserActive: `WITH u AS (
      UPDATE scim_users u SET active = $3::boolean, resource = jsonb_set(u.resource, '{active}', to_jsonb($3::boolean)),
        version = u.version + 1, updated_at = now()
      WHERE u.directory_id = $1::uuid AND u.id = $2::uuid
      RETURNING ${USER_COLS}),
    e AS (INSERT INTO events (directory_id, type, data)
      SELECT u.directory_id, CASE WHEN u.active THEN 'user.reactivated' ELSE 'user.deactivated' END, ${appUser("u")} FROM u)
    SELECT * FROM u`,
  // GET by id also reads the user's groups (the service returns `groups` on GET by id)
  getUser: `SELECT ${USER_COLS}, (SELECT coalesce(jsonb_agg(jsonb_build_object('value', g.id, 'display', g.display_name) ORDER BY g.display_name_norm), '[]')
      FROM group_members m JOIN scim_groups g ON g.id = m.group_id WHERE m.user_id = u.id) AS groups
    FROM scim_users u WHERE u.directory_id = $1::uuid AND u.id = $2::uuid`,
  findUserByUserName: `SELECT ${USER_COLS}, count(*) OVER () AS total FROM scim_users u
    WHERE u.directory_id = $1::uuid AND u.user_name_norm = lower($2::text) ORDER BY u.created_at, u.id LIMIT $3::int OFFSET $4::int`,
  // totalResults and the page together: one row with NULL user columns when the page is empty
  listUsers: `SELECT t.total, p.* FROM (SELECT count(*)::int AS total FROM scim_users WHERE directory_id = $1::uuid) t
    LEFT JOIN LATERAL (SELECT ${USER_COLS} FROM scim_users u WHERE u.directory_id = $1::uuid
      ORDER BY u.created_at, u.id LIMIT $2::int OFFSET $3::int) p ON true`,
  createGroup: `WITH g AS (
      INSERT INTO scim_groups AS g (id, directory_id, display_name, display_name_norm, external_id, resource, member_count)
      VALUES ($1::uuid, $2::uuid, $3::text, lower($3::text), $4::text, $5::jsonb, 0)
      RETURNING ${GROUP_COLS}),
    e AS (INSERT INTO events (directory_id, type, data) SELECT g.directory_id, 'group.created', ${appGroup("g")} FROM g)
    SELECT * FROM g`,
  // the user must be one of the directory's; the membership, member_count and the group.user_added event together
  addMember: `WITH usr AS (SELECT ${USER_COLS} FROM scim_users u WHERE u.directory_id = $1::uuid AND u.id = $3::uuid),
    m AS (INSERT INTO group_members (group_id, user_id, directory_id) SELECT $2::uuid, usr.id, $1::uuid FROM usr
      ON CONFLICT DO NOTHING RETURNING user_id),
    g AS (UPDATE scim_groups g SET member_count = g.member_count + (SELECT count(*) FROM m)::int, version = g.version + 1, updated_at = now()
      WHERE g.directory_id = $1::uuid AND g.id = $2::uuid AND EXISTS (SELECT 1 FROM m)
      RETURNING ${GROUP_COLS}),
    e AS (INSERT INTO events (directory_id, type, data)
      SELECT g.directory_id, 'group.user_added', jsonb_build_object('group', ${appGroup("g")}, 'user', ${appUser("usr")}) FROM g, usr)
    SELECT (SELECT count(*) FROM usr)::int AS users, (SELECT count(*) FROM m)::int AS added`,
} as const;

type Json = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USERNAME_EQ = /^userName eq "((?:[^"\\]|\\.)*)"$/i;

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

function workEmail(body: Json): string | null {
  const emails = Array.isArray(body.emails) ? (body.emails as Json[]) : [];
  const e = emails.find((x) => x.type === "work") ?? emails.find((x) => x.primary === true) ?? emails[0];
  return typeof e?.value === "string" ? e.value.toLowerCase() : null;
}

async function main() {
  const prepared = (process.env.FLOOR_PREPARED ?? "true") !== "false";
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.FLOOR_POOL_SIZE ?? 20),
    idleTimeoutMillis: 0,
  });
  pool.on("error", () => {}); // connections cut when the bench drops its database
  const sql = <R extends pg.QueryResultRow = Json>(name: keyof typeof FLOOR_SQL, values: unknown[]) =>
    pool.query<R>(prepared ? { name, text: FLOOR_SQL[name], values } : { text: FLOOR_SQL[name], values });

  const app = Fastify({ logger: false });
  app.addContentTypeParser("application/scim+json", { parseAs: "string" }, app.getDefaultJsonParser("error", "error"));
  app.get("/readyz", async () => ({ status: "ok" }));

  app.post<{ Params: { dir: string }; Body: Json }>("/scim/v2/:dir/Users", async (req, reply) => {
    const b = req.body;
    const name = (b.name ?? {}) as Json;
    const userName = str(b.userName);
    if (!userName) return reply.code(400).send({ detail: "userName is required" });
    try {
      const { rows } = await sql("createUser", [
        crypto.randomUUID(),
        req.params.dir,
        userName,
        str(b.externalId),
        b.active !== false,
        str(b.displayName),
        str(name.givenName),
        str(name.familyName),
        workEmail(b),
        JSON.stringify(b),
      ]);
      return reply.code(201).send(rows[0]);
    } catch (err) {
      if ((err as { code?: string }).code === "23505") return reply.code(409).send({ detail: "userName taken" });
      throw err;
    }
  });

  app.patch<{ Params: { dir: string; id: string }; Body: Json }>("/scim/v2/:dir/Users/:id", async (req, reply) => {
    // the Entra disable/enable shape only: Replace active "True"/"False"
    const op = (req.body.Operations as Json[] | undefined)?.[0];
    if (!UUID.test(req.params.id) || String(op?.path).toLowerCase() !== "active")
      return reply.code(400).send({ detail: "floor: PATCH active only" });
    const active = String(op?.value).toLowerCase() === "true";
    const { rows } = await sql("setUserActive", [req.params.dir, req.params.id, active]);
    return rows[0] ? rows[0] : reply.code(404).send({ detail: "not found" });
  });

  app.get<{ Params: { dir: string; id: string } }>("/scim/v2/:dir/Users/:id", async (req, reply) => {
    if (!UUID.test(req.params.id)) return reply.code(404).send({ detail: "not found" });
    const { rows } = await sql("getUser", [req.params.dir, req.params.id]);
    return rows[0] ? rows[0] : reply.code(404).send({ detail: "not found" });
  });

  app.get<{ Params: { dir: string }; Querystring: { filter?: string; startIndex?: string; count?: string } }>(
    "/scim/v2/:dir/Users",
    async (req, reply) => {
      const count = Math.min(100, Math.max(0, Number(req.query.count ?? 100) || 0));
      const offset = Math.max(0, (Number(req.query.startIndex ?? 1) || 1) - 1);
      if (req.query.filter !== undefined) {
        const m = USERNAME_EQ.exec(req.query.filter);
        if (!m) return reply.code(400).send({ detail: "floor: userName eq only" });
        const { rows } = await sql<Json & { total: string }>("findUserByUserName", [
          req.params.dir,
          m[1]!.replace(/\\(.)/g, "$1"),
          count,
          offset,
        ]);
        return { totalResults: Number(rows[0]?.total ?? 0), Resources: rows };
      }
      const { rows } = await sql<Json & { total: number; id: string | null }>("listUsers", [req.params.dir, count, offset]);
      return { totalResults: rows[0]?.total ?? 0, Resources: rows.filter((r) => r.id !== null) };
    },
  );

  app.post<{ Params: { dir: string }; Body: Json }>("/scim/v2/:dir/Groups", async (req, reply) => {
    const displayName = str(req.body.displayName);
    if (!displayName) return reply.code(400).send({ detail: "displayName is required" });
    try {
      const { rows } = await sql("createGroup", [
        crypto.randomUUID(),
        req.params.dir,
        displayName,
        str(req.body.externalId),
        JSON.stringify(req.body),
      ]);
      return reply.code(201).send(rows[0]);
    } catch (err) {
      if ((err as { code?: string }).code === "23505") return reply.code(409).send({ detail: "displayName taken" });
      throw err;
    }
  });

  app.patch<{ Params: { dir: string; id: string }; Body: Json }>("/scim/v2/:dir/Groups/:id", async (req, reply) => {
    // the Entra add-members shape, one member: Add members [{ value }]
    const op = (req.body.Operations as Json[] | undefined)?.[0];
    const userId = ((op?.value as Json[] | undefined)?.[0]?.value ?? "") as string;
    if (!UUID.test(req.params.id) || !UUID.test(userId)) return reply.code(400).send({ detail: "floor: add one member only" });
    try {
      const { rows } = await sql<{ users: number }>("addMember", [req.params.dir, req.params.id, userId]);
      return rows[0]!.users === 1 ? reply.code(204).send() : reply.code(400).send({ detail: "unknown user" });
    } catch (err) {
      if ((err as { code?: string }).code === "23503") return reply.code(404).send({ detail: "group not found" });
      throw err;
    }
  });

  const close = async () => {
    await app.close();
    await pool.end();
    process.exit(0);
  };
  process.once("SIGTERM", close);
  process.once("SIGINT", close);
  await app.listen({ host: process.env.HOST ?? "127.0.0.1", port: Number(process.env.PORT ?? 3100) });
}

// started as a process; bench/pgbench.ts imports FLOOR_SQL only
if (isMain(import.meta.url)) await main();
