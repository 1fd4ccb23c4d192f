// What prisma/schema.prisma says the database holds, in Postgres terms: tables (@@map), columns (@map,
// native type, nullability, default), primary keys, unique and plain indexes with Prisma's default
// names, and foreign keys of @relation fields. A small parser for the subset of the schema language
// this project uses; anything outside it (enums, unknown @db types, composite types) throws rather than
// being skipped, so the drift test never passes by not understanding the schema. (Prisma's own DMMF
// parser ships only inside the CLI bundle; the generated client carries names and dbNames but not types,
// defaults or indexes.)

export interface ColumnSpec {
  type: string;
  nullable: boolean;
  /** Normalised: now(), autoincrement(), a literal ('text', true, 1), or a dbgenerated expression. */
  default: string | null;
}

export interface IndexSpec {
  name: string;
  columns: string[];
  unique: boolean;
  primary: boolean;
  /** Partial index predicate (database only: the schema never sets one). */
  where?: string;
  nullsNotDistinct?: boolean;
}

export interface ForeignKeySpec {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string;
}

export interface TableSpec {
  columns: Record<string, ColumnSpec>;
  indexes: Record<string, IndexSpec>;
  foreignKeys: Record<string, ForeignKeySpec>;
  /** CHECK, EXCLUDE and other constraints, as pg_get_constraintdef prints them (database only). */
  otherConstraints: Record<string, string>;
}

export type SchemaSpec = Record<string, TableSpec>;

interface Field {
  name: string;
  type: string;
  optional: boolean;
  list: boolean;
  attrs: string;
}

interface Model {
  name: string;
  dbName: string;
  fields: Field[];
  blockAttrs: string[];
}

function stripComments(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        if (line[i] === '"' && line[i - 1] !== "\\") quoted = !quoted;
        if (!quoted && line[i] === "/" && line[i + 1] === "/") return line.slice(0, i);
      }
      return line;
    })
    .join("\n");
}

/** The argument text of `@name(...)` (balanced parentheses), "" for a bare `@name`, undefined if absent. */
export function attribute(text: string, name: string): string | undefined {
  const re = new RegExp(`(^|[^@\\w.])${name.replace(/[.]/g, "\\.")}(?![\\w.])`);
  const m = re.exec(text);
  if (!m) return undefined;
  let i = m.index + m[0].length;
  if (text[i] !== "(") return "";
  let depth = 0;
  let quoted = false;
  const start = i + 1;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' && text[i - 1] !== "\\") quoted = !quoted;
    if (quoted) continue;
    if (ch === "(") depth++;
    if (ch === ")" && --depth === 0) return text.slice(start, i);
  }
  throw new Error(`unbalanced parentheses after ${name} in: ${text}`);
}

const unquote = (s: string) => JSON.parse(s.trim()) as string;

/** `[a, b(sort: Desc)]` → ["a", "b"]. */
function fieldList(args: string): string[] {
  const m = /\[([^\]]*)\]/.exec(args);
  if (!m) throw new Error(`expected a [field list] in: ${args}`);
  return m[1]!
    .split(",")
    .map((s) => s.replace(/\(.*\)/, "").trim())
    .filter(Boolean);
}

function namedArg(args: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*:\\s*("(?:[^"\\\\]|\\\\.)*"|\\w+)`).exec(args);
  return m ? m[1] : undefined;
}

export function parseModels(schema: string): Model[] {
  const text = stripComments(schema);
  const blocks = [...text.matchAll(/^(model|enum|type|view)\s+(\w+)\s*\{([\s\S]*?)^\}/gm)];
  const other = blocks.filter((b) => b[1] !== "model");
  if (other.length > 0)
    throw new Error(`schema parser: ${other.map((b) => `${b[1]} ${b[2]}`).join(", ")} not supported; extend test/helpers/prisma-schema.ts`);
  return blocks.map((b) => {
    const lines = b[3]!
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    const blockAttrs = lines.filter((l) => l.startsWith("@@"));
    const fields = lines
      .filter((l) => !l.startsWith("@@"))
      .map((l): Field => {
        const m = /^(\w+)\s+(\w+(?:\("[^"]*"\))?)(\[\])?(\?)?\s*(.*)$/.exec(l);
        if (!m) throw new Error(`schema parser: cannot read field line in model ${b[2]}: ${l}`);
        return { name: m[1]!, type: m[2]!, list: m[3] !== undefined, optional: m[4] !== undefined, attrs: m[5] ?? "" };
      });
    const map = blockAttrs.map((a) => attribute(a, "@@map")).find((x) => x !== undefined);
    return { name: b[2]!, dbName: map ? unquote(map) : b[2]!, fields, blockAttrs };
  });
}

const SCALARS = new Set(["String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json", "Bytes"]);

function columnType(f: Field): string {
  // a scalar list (String[]) is a Postgres array of the element's type
  return f.list ? `${elementType(f)}[]` : elementType(f);
}

function elementType(f: Field): string {
  const unsupported = /^Unsupported\("(.*)"\)$/.exec(f.type);
  if (unsupported) return unsupported[1]!;
  const db = /@db\.(\w+)(?:\(([^)]*)\))?/.exec(f.attrs);
  if (db) {
    const [, native, args] = db;
    const p = args?.trim();
    switch (native) {
      case "Uuid":
        return "uuid";
      case "Text":
        return "text";
      case "VarChar":
        return p ? `character varying(${p})` : "character varying";
      case "Timestamptz":
        return `timestamp(${p ?? "6"}) with time zone`;
      case "Timestamp":
        return `timestamp(${p ?? "6"}) without time zone`;
      case "Date":
        return "date";
      case "SmallInt":
        return "smallint";
      case "Integer":
        return "integer";
      case "BigInt":
        return "bigint";
      case "DoublePrecision":
        return "double precision";
      case "JsonB":
        return "jsonb";
      case "Json":
        return "json";
      default:
        throw new Error(`schema parser: @db.${native} not supported; extend test/helpers/prisma-schema.ts`);
    }
  }
  const byType: Record<string, string> = {
    String: "text",
    Int: "integer",
    BigInt: "bigint",
    Float: "double precision",
    Decimal: "numeric(65,30)",
    Boolean: "boolean",
    DateTime: "timestamp(3) without time zone",
    Json: "jsonb",
    Bytes: "bytea",
  };
  return byType[f.type]!;
}

function columnDefault(f: Field): string | null {
  const d = attribute(f.attrs, "@default");
  if (d === undefined) return null;
  const v = d.trim();
  if (v === "now()" || v === "autoincrement()") return v;
  if (v === "[]") return "'{}'";
  const generated = /^dbgenerated\((".*")\)$/.exec(v);
  if (generated) return unquote(generated[1]!);
  if (v.startsWith('"')) return `'${unquote(v).replaceAll("'", "''")}'`;
  if (/^(true|false|-?\d+(\.\d+)?)$/.test(v)) return v;
  // uuid(), cuid(), nanoid() are made by the client: no database default
  if (/^(uuid|cuid|nanoid|ulid)\(.*\)$/.test(v)) return null;
  throw new Error(`schema parser: @default(${v}) on ${f.name} not supported`);
}

const ON_DELETE: Record<string, string> = {
  Cascade: "CASCADE",
  Restrict: "RESTRICT",
  NoAction: "NO ACTION",
  SetNull: "SET NULL",
  SetDefault: "SET DEFAULT",
};

/** The schema as the tables, columns, indexes and foreign keys Prisma Migrate would create on Postgres. */
export function expectedSchema(schema: string): SchemaSpec {
  const models = parseModels(schema);
  const byName = new Map(models.map((m) => [m.name, m]));
  const columnOf = (m: Model, field: string) => {
    const f = m.fields.find((x) => x.name === field);
    if (!f) throw new Error(`schema parser: ${m.name} has no field ${field}`);
    const map = attribute(f.attrs, "@map");
    return map ? unquote(map) : f.name;
  };
  const out: SchemaSpec = {};
  for (const m of models) {
    const t: TableSpec = { columns: {}, indexes: {}, foreignKeys: {}, otherConstraints: {} };
    const index = (kind: "pkey" | "key" | "idx", fields: string[], args: string) => {
      const columns = fields.map((f) => columnOf(m, f));
      const map = namedArg(args, "map");
      const name = map ? unquote(map) : kind === "pkey" ? `${m.dbName}_pkey` : `${m.dbName}_${columns.join("_")}_${kind}`;
      t.indexes[name] = { name, columns, unique: kind !== "idx", primary: kind === "pkey" };
    };
    for (const f of m.fields) {
      if (byName.has(f.type)) {
        // a relation field: the side with fields/references holds the foreign key
        const rel = attribute(f.attrs, "@relation");
        if (rel && /\bfields\s*:/.test(rel)) {
          const target = byName.get(f.type)!;
          const columns = fieldList(rel.slice(rel.indexOf("fields"))).map((x) => columnOf(m, x));
          const refColumns = fieldList(rel.slice(rel.indexOf("references"))).map((x) => columnOf(target, x));
          const map = namedArg(rel, "map");
          const name = map ? unquote(map) : `${m.dbName}_${columns.join("_")}_fkey`;
          const action = namedArg(rel, "onDelete");
          t.foreignKeys[name] = {
            name,
            columns,
            refTable: target.dbName,
            refColumns,
            onDelete: action ? ON_DELETE[action]! : f.optional ? "SET NULL" : "RESTRICT",
          };
        }
        continue;
      }
      if (!SCALARS.has(f.type) && !f.type.startsWith("Unsupported("))
        throw new Error(`schema parser: type ${f.type} of ${m.name}.${f.name} not supported`);
      const name = columnOf(m, f.name);
      t.columns[name] = { type: columnType(f), nullable: f.optional, default: columnDefault(f) };
      const id = attribute(f.attrs, "@id");
      if (id !== undefined) index("pkey", [f.name], id);
      const unique = attribute(f.attrs, "@unique");
      if (unique !== undefined) index("key", [f.name], unique);
    }
    for (const a of m.blockAttrs) {
      for (const [attr, kind] of [
        ["@@id", "pkey"],
        ["@@unique", "key"],
        ["@@index", "idx"],
      ] as const) {
        const args = attribute(a, attr);
        if (args !== undefined) index(kind, fieldList(args), args);
      }
      if (!/^@@(id|unique|index|map)\b/.test(a)) throw new Error(`schema parser: ${a} in ${m.name} not supported`);
    }
    out[m.dbName] = t;
  }
  return out;
}
