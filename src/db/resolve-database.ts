import type { Config } from "../config.js";
import type { OwnerRole } from "./embedded-owner.js";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "./embedded-postgres.js";

/** DATABASE_URL when set; otherwise the embedded PostgreSQL in DATA_DIR (owned by a server, borrowed by commands). */
export async function resolveDatabase(config: Config, role: OwnerRole, log: (line: string) => void): Promise<EmbeddedDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => {} };
  return startEmbeddedPostgres({
    dataDir: config.dataDir,
    role,
    log,
    binaries: config.embeddedPostgres.binaries,
    rootDir: config.embeddedPostgres.rootDir,
  });
}
