import pg from "pg";
import { createBenchDatabase } from "./lib/bench-database.js";
import { entraUser, entraActivePatch } from "./lib/entra-bodies.js";
import { ScimClient } from "./lib/scim-client.js";
import { createDirectory, startService } from "./lib/service.js";
const db = await createBenchDatabase("diag");
const c = new pg.Client({ connectionString: db.url }); await c.connect();
await c.query(`ALTER DATABASE ${db.name} SET log_statement = 'all'`);
const s = await startService({ databaseUrl: db.url });
try {
  const d = await createDirectory(s, "diag");
  const cl = new ScimClient(s.url, d.token, 1);
  const p = new URL(d.tenantUrl).pathname;
  const u = (await cl.expect(201, "POST", `${p}/Users`, entraUser("warm@x.y"))).json<{id:string}>();
  await new Promise(r => setTimeout(r, 1500));
  await c.query(`ALTER DATABASE ${db.name} SET log_statement = 'all'`);
  await c.query(`ALTER DATABASE ${db.name} SET log_min_duration_statement = 0`);
  // new connections pick it up: force the pool to reconnect? settings apply to new sessions only
  console.log("MARK-START", new Date().toISOString());
  await cl.expect(201, "POST", `${p}/Users`, entraUser("a1@x.y"));
  console.log("MARK-GET", new Date().toISOString());
  await cl.expect(200, "GET", `${p}/Users/${u.id}`);
  console.log("MARK-PATCH", new Date().toISOString());
  await cl.expect([200,204], "PATCH", `${p}/Users/${u.id}`, entraActivePatch(false));
  console.log("MARK-END", new Date().toISOString());
  await new Promise(r => setTimeout(r, 1500));
  cl.close();
} finally { await c.end(); await s.stop(); await db.drop(); }
