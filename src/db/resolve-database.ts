import type { Config } from "../config.js";
import type { OwnerRole } from "./embedded-owner.js";
import { startEmbeddedPostgres } from "./embedded-postgres.js";

export interface ResolvedDatabase {
  /** Pooled work: may point at a pooler (PgBouncer in transaction mode). */
  url: string;
  /** Sessions: migrations (advisory lock) and LISTEN. The same as url unless DATABASE_DIRECT_URL is set. */
  directUrl: string;
  /** Stops the database if this process started it; a borrowed one is left running. */
  stop(): Promise<void>;
}

/** DATABASE_URL when set; otherwise the embedded PostgreSQL in DATA_DIR (owned by a server, borrowed by commands). */
export async function resolveDatabase(config: Config, role: OwnerRole, log: (line: string) => void): Promise<ResolvedDatabase> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, directUrl: config.databaseDirectUrl ?? config.databaseUrl, stop: async () => {} };
  }
  const embedded = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    role,
    log,
    binaries: config.embeddedPostgres.binaries,
    rootDir: config.embeddedPostgres.rootDir,
  });
  return { url: embedded.url, directUrl: embedded.url, stop: () => embedded.stop() };
}
