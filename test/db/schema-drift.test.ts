import { readFileSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedSchema } from "../helpers/prisma-schema.js";
import { databaseSchema, schemaDrift } from "../helpers/schema-drift.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";

// prisma/schema.prisma and the SQL migrations in step: a fresh database migrated by the project's runner
// holds every model, field (type, nullability, default), primary key, index, unique index and foreign
// key the schema describes, and nothing the schema lacks (except Prisma's _prisma_migrations).

const SCHEMA = readFileSync(new URL("../../prisma/schema.prisma", import.meta.url), "utf8");

/** The user an event is about, as Postgres prints the expression of events_user_id_idx. */
const EVENT_USER_ID_CASE = [
  "",
  "CASE",
  "    WHEN (type ~~ 'user.%'::text) THEN (data ->> 'id'::text)",
  "    WHEN (type = ANY (ARRAY['group.user_added'::text, 'group.user_removed'::text])) THEN ((data -> 'user'::text) ->> 'id'::text)",
  "    ELSE NULL::text",
  "END",
].join("\n");

/**
 * What the migrations create that Prisma's schema language cannot say (without the `partialIndexes`
 * preview feature, or at all). Each line must still be true: an entry that stops matching fails the
 * test too, so this list never outlives what it describes.
 */
const INEXPRESSIBLE = [
  // partial indexes (20261130040000_webhook_delivery_streams)
  "index webhook_deliveries.webhook_deliveries_open_event_idx: schema.prisma missing, database INDEX (event_id) WHERE (status = ANY (ARRAY['pending'::text, 'failed'::text]))",
  "index webhook_deliveries.webhook_deliveries_open_stream_idx: schema.prisma missing, database INDEX (stream_id, event_txid, event_id) WHERE (status = ANY (ARRAY['pending'::text, 'failed'::text]))",
  "index webhook_streams.webhook_streams_ready_at_idx: schema.prisma missing, database INDEX (ready_at) WHERE (ready_at IS NOT NULL)",
  // NULLS NOT DISTINCT: endpoint_id NULL (the global endpoint) is one value for uniqueness
  "index webhook_deliveries.webhook_deliveries_endpoint_id_event_id_key: schema.prisma UNIQUE (endpoint_id, event_id), database UNIQUE (endpoint_id, event_id) NULLS NOT DISTINCT",
  "index webhook_streams.webhook_streams_directory_id_endpoint_id_key: schema.prisma UNIQUE (directory_id, endpoint_id), database UNIQUE (directory_id, endpoint_id) NULLS NOT DISTINCT",
  // an expression index, partial (20261202120000_console_event_lookup): a user's event history
  `index events.events_user_id_idx: schema.prisma missing, database INDEX (CREATE INDEX events_user_id_idx ON public.events USING btree (directory_id, (${EVENT_USER_ID_CASE}), id) WHERE (${EVENT_USER_ID_CASE} IS NOT NULL)) WHERE (${EVENT_USER_ID_CASE} IS NOT NULL)`,
  // a CHECK constraint: the single-row table
  "constraint webhook_dispatch_state.webhook_dispatch_state_id_check: schema.prisma missing, database CHECK ((id = 1))",
];

describe("schema.prisma and the migrations", () => {
  let db: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it("describe the same tables, columns, keys and indexes (apart from what Prisma cannot express)", async () => {
    const drift = schemaDrift(expectedSchema(SCHEMA), await databaseSchema(client));
    expect(drift).toEqual([...INEXPRESSIBLE].sort());
  });

  it("reads every model of the schema, with its mapped names, types, defaults and indexes", () => {
    const schema = expectedSchema(SCHEMA);
    // every `model` block of the file becomes a table (counted independently of the parser)
    expect(Object.keys(schema)).toHaveLength(SCHEMA.match(/^model \w+ \{/gm)!.length);
    expect(Object.keys(schema)).toContain("directory_counts");
    expect(schema.scim_users!.columns.user_name_norm).toEqual({ type: "text", nullable: false, default: null });
    expect(schema.scim_users!.columns.created_at).toEqual({ type: "timestamp(3) with time zone", nullable: false, default: "now()" });
    expect(schema.events!.columns.id).toEqual({ type: "bigint", nullable: false, default: "autoincrement()" });
    expect(schema.events!.columns.txid).toEqual({ type: "xid8", nullable: false, default: "pg_current_xact_id()" });
    expect(schema.directories!.columns.provider).toEqual({ type: "text", nullable: false, default: "'entra'" });
    expect(schema.group_members!.indexes.group_members_pkey).toEqual({
      name: "group_members_pkey",
      columns: ["group_id", "user_id"],
      unique: true,
      primary: true,
    });
    expect(schema.directory_tokens!.indexes.directory_tokens_hash_key).toEqual({
      name: "directory_tokens_hash_key",
      columns: ["hash"],
      unique: true,
      primary: false,
    });
    expect(schema.scim_users!.foreignKeys.scim_users_directory_id_fkey).toEqual({
      name: "scim_users_directory_id_fkey",
      columns: ["directory_id"],
      refTable: "directories",
      refColumns: ["id"],
      onDelete: "CASCADE",
    });
  });

  it("fails when a migration adds, drops or changes what the schema does not know about", async () => {
    await client.query("BEGIN");
    try {
      // a migration written without touching schema.prisma
      await client.query(`ALTER TABLE scim_users ADD COLUMN nickname TEXT`);
      await client.query(`ALTER TABLE scim_groups ALTER COLUMN member_count SET DEFAULT 1`);
      await client.query(`ALTER TABLE directories ALTER COLUMN name DROP NOT NULL`);
      await client.query(`DROP INDEX scim_users_directory_id_email_idx`);
      await client.query(`CREATE INDEX scim_users_given_name_idx ON scim_users (given_name)`);
      await client.query(`CREATE TABLE audit_notes (id INT PRIMARY KEY)`);
      await client.query(`ALTER TABLE setup_links ADD CONSTRAINT setup_links_expiry CHECK (expires_at > created_at)`);
      const drift = schemaDrift(expectedSchema(SCHEMA), await databaseSchema(client));
      expect(drift).toEqual(
        expect.arrayContaining([
          "column scim_users.nickname: schema.prisma missing, database text NULL",
          "column scim_groups.member_count: schema.prisma integer NOT NULL DEFAULT 0, database integer NOT NULL DEFAULT 1",
          "column directories.name: schema.prisma text NOT NULL, database text NULL",
          "index scim_users.scim_users_directory_id_email_idx: schema.prisma INDEX (directory_id, email), database missing",
          "index scim_users.scim_users_given_name_idx: schema.prisma missing, database INDEX (given_name)",
          "table audit_notes: schema.prisma missing, database has it",
          "constraint setup_links.setup_links_expiry: schema.prisma missing, database CHECK ((expires_at > created_at))",
        ]),
      );
      expect(drift).toHaveLength(INEXPRESSIBLE.length + 7);
    } finally {
      await client.query("ROLLBACK");
    }
  });

  it("fails when the schema gains a field, index or model the migrations never created", async () => {
    const drifted = SCHEMA.replace("  email        String?\n", '  email        String?\n  nickname     String?  @map("nick_name")\n')
      .replace("  @@index([directoryId, email])\n", "  @@index([directoryId, email])\n  @@index([familyName])\n")
      .concat('\nmodel AuditNote {\n  id Int @id\n  @@map("audit_notes")\n}\n');
    const drift = schemaDrift(expectedSchema(drifted), await databaseSchema(client));
    expect(drift).toEqual(
      expect.arrayContaining([
        "column scim_users.nick_name: schema.prisma text NULL, database missing",
        "index scim_users.scim_users_family_name_idx: schema.prisma INDEX (family_name), database missing",
        "table audit_notes: schema.prisma has it, database missing",
      ]),
    );
    expect(drift).toHaveLength(INEXPRESSIBLE.length + 3);
  });
});
