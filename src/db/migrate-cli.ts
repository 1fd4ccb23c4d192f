// `npm run db:migrate`: applies pending migrations over DATABASE_DIRECT_URL (default DATABASE_URL; or the embedded
// database). Never through a pooler: the runner holds a session advisory lock.
import { loadConfig } from "../config.js";
import { DataDirInUse } from "./embedded-postgres.js";
import { type ResolvedDatabase, resolveDatabase } from "./resolve-database.js";
import { migrate } from "./migrate.js";

const config = loadConfig();
let db: ResolvedDatabase;
try {
  // with the embedded database, a running server's is used as it is (never stopped)
  db = await resolveDatabase(config, "command", (line) => console.log(line));
} catch (err) {
  if (!(err instanceof DataDirInUse)) throw err;
  console.error(`scimbridge: ${err.message}`);
  process.exit(1);
}
try {
  const applied = await migrate(db.directUrl);
  console.log(applied.length ? `applied: ${applied.join(", ")}` : "no pending migrations");
} finally {
  await db.stop();
}
