import type { SqlRunner } from "../db/database.js";
import { type Sql, sql } from "../db/sql.js";
import type { MappingWarning } from "../scim/mapping/attribute-mapping.js";

// SQL on the SCIM write path for attribute mapping. The read of a directory's declared attributes and
// mappings is the control plane read on the hot path (like the token lookup, docs/data-access.md): one
// statement, only on a cache miss. Warnings are data plane: counted in the statement of the write that met them.

export interface DirectoryMappingRow {
  name: string;
  type: string;
  required: boolean;
  /** The directory's own path, null when it has none (then the provider default, if any). */
  scimPath: string | null;
  provider: string;
}

/** Every declared attribute with the directory's mapping of it; no rows when nothing is declared (or no such directory). */
export async function readDirectoryMapping(db: SqlRunner, directoryId: string): Promise<DirectoryMappingRow[]> {
  return db.query<DirectoryMappingRow>(sql`
    SELECT a.name, a.type, a.required, m.scim_path AS "scimPath", d.provider
    FROM directories d CROSS JOIN app_attributes a
    LEFT JOIN directory_attribute_mappings m ON m.directory_id = d.id AND m.attribute = a.name
    WHERE d.id = ${directoryId}::uuid
    ORDER BY a.name`);
}

/**
 * Upsert of the warnings met by a write, as a statement to embed as a CTE (`when`: only if the write
 * happened). Several users meeting the same warning in one statement (a remap batch) add up.
 */
export function countWarnings(directoryId: string, warnings: readonly MappingWarning[], at: Date, when?: Sql): Sql {
  const grouped = new Map<string, MappingWarning & { n: number }>();
  for (const w of warnings) {
    const key = `${w.attribute}\u0000${w.kind}`;
    const seen = grouped.get(key);
    if (seen) {
      seen.n += 1;
      seen.example = w.example ?? seen.example;
    } else grouped.set(key, { ...w, n: 1 });
  }
  // one order for every writer, so concurrent upserts of several rows cannot deadlock
  const rows = JSON.stringify([...grouped.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, w]) => w));
  return sql`INSERT INTO attribute_mapping_warnings AS w (directory_id, attribute, kind, scim_path, expected_type, example, count, first_seen_at, last_seen_at)
    SELECT ${directoryId}::uuid, r.attribute, r.kind, r."scimPath", r."expectedType", r.example, r.n, ${at}, ${at}
    FROM jsonb_to_recordset(${rows}::jsonb) AS r(attribute text, kind text, "scimPath" text, "expectedType" text, example text, n int)
    ${when ? sql`WHERE ${when}` : sql``}
    ON CONFLICT (directory_id, attribute, kind) DO UPDATE SET count = w.count + excluded.count, scim_path = excluded.scim_path,
      expected_type = excluded.expected_type, example = coalesce(excluded.example, w.example), last_seen_at = excluded.last_seen_at`;
}
