// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database).
import { loadConfig } from "../config.js";
import { resolveDatabase } from "./resolve-database.js";
import { migrate } from "./migrate.js";

const config = loadConfig();
const db = await resolveDatabase(config, "command", (line) => console.log(line));
try {
  const applied = await migrate(db.url);
  console.log(applied.length ? `applied: ${applied.join(", ")}` : "no pending migrations");
} finally {
  await db.stop();
}
