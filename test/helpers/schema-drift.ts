import type pg from "pg";
import type { ColumnSpec, IndexSpec, SchemaSpec, TableSpec } from "./prisma-schema.js";

// The database side of the drift test: what a migrated database holds (pg_catalog, schema public), in the
// shape test/helpers/prisma-schema.ts gives the Prisma schema, and the differences between the two.

/** Prisma's own bookkeeping table: never in schema.prisma. */
const IGNORED_TABLES = new Set(["_prisma_migrations"]);

const ON_DELETE: Record<string, string> = { a: "NO ACTION", r: "RESTRICT", c: "CASCADE", n: "SET NULL", d: "SET DEFAULT" };

/** Database defaults in the schema's terms: CURRENT_TIMESTAMP → now(), nextval(…) → autoincrement(), 'x'::text → 'x'. */
export function normaliseDefault(expr: string | null): string | null {
  if (expr === null) return null;
  if (/^(CURRENT_TIMESTAMP|now\(\))$/i.test(expr)) return "now()";
  if (/^nextval\('.*'::regclass\)$/.test(expr)) return "autoincrement()";
  const literal = /^('(?:[^']|'')*')::[\w\s]+(?:\[\])?$/.exec(expr);
  if (literal) return literal[1]!;
  return expr;
}

export async function databaseSchema(client: pg.Client): Promise<{ schema: SchemaSpec; other: string[] }> {
  const q = async <T extends pg.QueryResultRow>(sql: string) => (await client.query<T>(sql)).rows;
  const schema: SchemaSpec = {};
  const other: string[] = [];
  const tables = await q<{ name: string; kind: string }>(
    `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
  );
  for (const t of tables) {
    if (IGNORED_TABLES.has(t.name)) continue;
    if (t.kind !== "r" && t.kind !== "p") other.push(`relation ${t.name} (relkind ${t.kind})`);
    else schema[t.name] = { columns: {}, indexes: {}, foreignKeys: {}, otherConstraints: {} };
  }
  const table = (name: string): TableSpec | undefined => schema[name];

  for (const c of await q<{
    table: string;
    name: string;
    type: string;
    notnull: boolean;
    def: string | null;
    identity: string;
    generated: string;
  }>(
    `SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
            pg_get_expr(d.adbin, d.adrelid) AS def, a.attidentity AS identity, a.attgenerated AS generated
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`,
  )) {
    const t = table(c.table);
    if (!t) continue;
    const def = c.identity ? "autoincrement()" : c.generated ? `GENERATED ${c.def}` : normaliseDefault(c.def);
    t.columns[c.name] = { type: c.type, nullable: !c.notnull, default: def };
  }

  for (const i of await q<{
    table: string;
    name: string;
    unique: boolean;
    primary: boolean;
    columns: string[] | null;
    expr: boolean;
    def: string;
    pred: string | null;
    nnd: string | null;
  }>(
    `SELECT c.relname AS table, ic.relname AS name, i.indisunique AS unique, i.indisprimary AS primary,
            (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) AS columns,
            i.indexprs IS NOT NULL AS expr, pg_get_indexdef(i.indexrelid) AS def,
            pg_get_expr(i.indpred, i.indrelid) AS pred, to_jsonb(i) ->> 'indnullsnotdistinct' AS nnd
     FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'`,
  )) {
    const t = table(i.table);
    if (!t) continue;
    const spec: IndexSpec = { name: i.name, columns: i.expr ? [i.def] : (i.columns ?? []), unique: i.unique, primary: i.primary };
    if (i.pred) spec.where = i.pred;
    if (i.nnd === "true") spec.nullsNotDistinct = true;
    t.indexes[i.name] = spec;
  }

  for (const k of await q<{
    table: string;
    name: string;
    type: string;
    def: string;
    columns: string[];
    ref_table: string | null;
    ref_columns: string[] | null;
    del: string;
  }>(
    `SELECT c.relname AS table, k.conname AS name, k.contype AS type, pg_get_constraintdef(k.oid) AS def,
            (SELECT array_agg(a.attname::text ORDER BY x.ord) FROM unnest(k.conkey) WITH ORDINALITY x(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = x.attnum) AS columns,
            rc.relname AS ref_table,
            (SELECT array_agg(a.attname::text ORDER BY x.ord) FROM unnest(k.confkey) WITH ORDINALITY x(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = x.attnum) AS ref_columns,
            k.confdeltype AS del
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_class rc ON rc.oid = k.confrelid
     WHERE n.nspname = 'public' AND k.contype NOT IN ('p', 'u', 'n')`,
  )) {
    // primary keys and unique constraints are compared as their indexes; NOT NULL (a pg_constraint row
    // of type 'n' since PostgreSQL 18) is compared as the column's nullability
    const t = table(k.table);
    if (!t) continue;
    if (k.type === "f") {
      t.foreignKeys[k.name] = {
        name: k.name,
        columns: k.columns,
        refTable: k.ref_table!,
        refColumns: k.ref_columns ?? [],
        onDelete: ON_DELETE[k.del]!,
      };
    } else t.otherConstraints[k.name] = k.def;
  }

  // objects outside tables that schema.prisma cannot hold: functions, triggers, types, free sequences
  for (const r of await q<{ what: string }>(
    `SELECT 'function ' || p.proname AS what FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
     UNION ALL
     SELECT 'trigger ' || t.tgname || ' on ' || c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND NOT t.tgisinternal
     UNION ALL
     SELECT 'type ' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'c') AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid)
     UNION ALL
     SELECT 'sequence ' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'S'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0)`,
  )) {
    other.push(r.what);
  }
  return { schema, other };
}

const list = (xs: string[]) => xs.join(", ");

function describeColumn(c: ColumnSpec): string {
  return `${c.type}${c.nullable ? " NULL" : " NOT NULL"}${c.default === null ? "" : ` DEFAULT ${c.default}`}`;
}

function describeIndex(i: IndexSpec): string {
  const kind = i.primary ? "PRIMARY KEY" : i.unique ? "UNIQUE" : "INDEX";
  return `${kind} (${list(i.columns)})${i.nullsNotDistinct ? " NULLS NOT DISTINCT" : ""}${i.where ? ` WHERE ${i.where}` : ""}`;
}

/**
 * Every difference between what schema.prisma describes and what the database holds, one line each,
 * sorted: "<object>: schema.prisma <…>, database <…>" with "missing" on the side that lacks it.
 */
export function schemaDrift(expected: SchemaSpec, actual: { schema: SchemaSpec; other: string[] }): string[] {
  const out: string[] = actual.other.map((o) => `${o}: schema.prisma missing, database has it`);
  const db = actual.schema;
  const compare = <T>(what: string, want: Record<string, T> | undefined, have: Record<string, T> | undefined, show: (x: T) => string) => {
    for (const name of new Set([...Object.keys(want ?? {}), ...Object.keys(have ?? {})])) {
      const w = want?.[name];
      const h = have?.[name];
      const ws = w === undefined ? "missing" : show(w);
      const hs = h === undefined ? "missing" : show(h);
      if (ws !== hs) out.push(`${what}${name}: schema.prisma ${ws}, database ${hs}`);
    }
  };
  for (const table of new Set([...Object.keys(expected), ...Object.keys(db)])) {
    const w = expected[table];
    const h = db[table];
    if (!w || !h) {
      out.push(`table ${table}: schema.prisma ${w ? "has it" : "missing"}, database ${h ? "has it" : "missing"}`);
      continue;
    }
    compare(`column ${table}.`, w.columns, h.columns, describeColumn);
    compare(`index ${table}.`, w.indexes, h.indexes, describeIndex);
    compare(
      `foreign key ${table}.`,
      w.foreignKeys,
      h.foreignKeys,
      (f) => `(${list(f.columns)}) → ${f.refTable}(${list(f.refColumns)}) ON DELETE ${f.onDelete}`,
    );
    compare(`constraint ${table}.`, w.otherConstraints, h.otherConstraints, (d) => d);
  }
  return out.sort();
}
