import { readFileSync, writeFileSync } from "node:fs";
import { buildApp } from "../../src/app.js";
import { ADMIN_API_DOC, openApiDocumentOf, renderRouteTable, withRouteTable } from "./admin-api-table.js";
import { testConfig } from "./test-app.js";

// `npm run docs:admin-api`: rewrites the route table of docs/admin-api.md from the OpenAPI document.
// Building the app opens no database connection (the pool connects on first query), so none is needed.

const app = await buildApp(testConfig("postgresql://unused@127.0.0.1:1/unused", { LOG_LEVEL: "silent" }));
await app.ready();
const table = renderRouteTable(openApiDocumentOf(app));
await app.close();
const before = readFileSync(ADMIN_API_DOC, "utf8");
const after = withRouteTable(before, table);
writeFileSync(ADMIN_API_DOC, after);
console.log(`docs/admin-api.md: route table ${after === before ? "already up to date" : "rewritten"}`);
