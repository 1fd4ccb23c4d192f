// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database).
import { loadConfig } from "../config.js";
import { DataDirInUse, type EmbeddedDatabase } from "./embedded-postgres.js";
import { resolveDatabase } from "./resolve-database.js";
import { migrate } from "./migrate.js";

const config = loadConfig();
let db: EmbeddedDatabase;
try {
  // with the embedded database, a running server's is used as it is (never stopped)
  db = await resolveDatabase(config, "command", (line) => console.log(line));
} catch (err) {
  if (!(err instanceof DataDirInUse)) throw err;
  console.error(`scimbridge: ${err.message}`);
  process.exit(1);
}
try {
  const applied = await migrate(db.url);
  console.log(applied.length ? `applied: ${applied.join(", ")}` : "no pending migrations");
} finally {
  await db.stop();
}
