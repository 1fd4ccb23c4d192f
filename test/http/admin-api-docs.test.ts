import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_API_DOC,
  adminRoutesOf,
  type OpenApiDocument,
  parseRouteTable,
  renderRouteTable,
  routeTableIn,
} from "../helpers/admin-api-table.js";
import { buildTestApp, type TestApp } from "../helpers/test-app.js";

// docs/admin-api.md lists the admin API the app serves: its route table is the one rendered from the
// OpenAPI document (`npm run docs:admin-api` rewrites it).

const FIX = "run `npm run docs:admin-api` to regenerate the table";

describe("docs/admin-api.md route table", () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  const documented = parseRouteTable(routeTableIn(readFileSync(ADMIN_API_DOC, "utf8")));
  beforeAll(async () => {
    t = await buildTestApp();
    const res = await t.app.inject({ method: "GET", url: "/openapi.json" });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(async () => t.close());

  it("lists every admin operation with its method, path and summary", () => {
    const served = adminRoutesOf(doc);
    expect(served.length).toBeGreaterThan(20);
    const missing = served
      .filter((r) => !documented.some((d) => d.method === r.method && d.path === r.path && d.summary === r.summary))
      .map((r) => `${r.method} ${r.path}: ${r.summary}`);
    expect(missing, FIX).toEqual([]);
  });

  it("lists no route the API lacks", () => {
    const extra = documented.filter((d) => !doc.paths[d.path]?.[d.method.toLowerCase() as "get"]).map((d) => `${d.method} ${d.path}`);
    expect(extra, FIX).toEqual([]);
  });

  it("is exactly the table rendered from the OpenAPI document", () => {
    expect(routeTableIn(readFileSync(ADMIN_API_DOC, "utf8")), FIX).toBe(renderRouteTable(doc));
  });
});
