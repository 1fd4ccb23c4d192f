import type { SqlRunner } from "../db/database.js";
import type { MappedAttribute } from "../scim/mapping/attribute-mapping.js";
import type { AppAttributeType } from "../scim/mapping/attribute-coercion.js";
import { type MappingPath, parseMappingPath } from "../scim/mapping/mapping-path.js";
import { readDirectoryMapping } from "./attribute-mapping-store.js";
import { defaultPathFor } from "./provider-defaults.js";

// Each process keeps every directory's compiled mapping, so a SCIM write reads nothing more than before.
// A change made on any replica evicts it through the auth-change NOTIFY channel (kind "attributes",
// within ~1 s); the TTL bounds staleness while the listener is down. Directories of an app that declares
// no attributes cache an empty mapping and skip mapping altogether.

export const MAPPING_CACHE_MS = 30_000;

interface Entry {
  mapping: MappedAttribute[];
  expiresAt: number;
}

export class AttributeMappingCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by each eviction: a load that started before it does not store its (possibly stale) result. */
  private epoch = 0;

  constructor(private readonly ttlMs = MAPPING_CACHE_MS) {}

  async mappingOf(db: SqlRunner, directoryId: string): Promise<MappedAttribute[]> {
    const cached = this.entries.get(directoryId);
    if (cached && cached.expiresAt > Date.now()) return cached.mapping;
    const epoch = this.epoch;
    const mapping = compileMapping(await readDirectoryMapping(db, directoryId));
    if (epoch === this.epoch) this.entries.set(directoryId, { mapping, expiresAt: Date.now() + this.ttlMs });
    return mapping;
  }

  /** Forgets one directory's mapping, or every directory's (a declaration changed, or notifications were missed). */
  evict(directoryId?: string): void {
    this.epoch += 1;
    if (directoryId === undefined) this.entries.clear();
    else this.entries.delete(directoryId);
  }
}

function pathOrUndefined(raw: string | undefined): MappingPath | undefined {
  if (raw === undefined) return undefined;
  try {
    return parseMappingPath(raw);
  } catch {
    // stored paths were checked on write; one the current grammar refuses maps to null rather than failing writes
    return undefined;
  }
}

export function compileMapping(rows: Awaited<ReturnType<typeof readDirectoryMapping>>): MappedAttribute[] {
  return rows.map((r) => ({
    name: r.name,
    type: r.type as AppAttributeType,
    required: r.required,
    path: pathOrUndefined(r.scimPath ?? defaultPathFor(r.provider, r.name)),
  }));
}

const caches = new WeakMap<object, AttributeMappingCache>();

/** The cache of a database handle (one per process and database; the listener of that app evicts it). */
export function attributeMappingsOf(db: object): AttributeMappingCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new AttributeMappingCache();
    caches.set(db, cache);
  }
  return cache;
}
