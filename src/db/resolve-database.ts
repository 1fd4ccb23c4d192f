import type { Config } from "../config.js";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./embedded-postgres.js";

/** DATABASE_URL when set; otherwise the embedded PostgreSQL in DATA_DIR. */
export async function resolveDatabase(config: Config, log: (line: string) => void): Promise<EmbeddedDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => {} };
  return startEmbeddedPostgres(config.dataDir, log);
}
