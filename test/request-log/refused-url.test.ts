import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScimDirectory, type ScimDirectory } from "../helpers/scim-fixtures.js";
import { buildTestApp, type TestApp } from "../helpers/test-app.js";

// A URL the router refuses before any hook runs (invalid percent-encoding: NUL and a lone surrogate
// in UTF-8) still gets its SCIM 400 and its row in the directory's request log.

describe("request log: URLs refused before routing", () => {
  let t: TestApp;
  let d: ScimDirectory;
  beforeAll(async () => {
    t = await buildTestApp();
    d = await createScimDirectory(t);
  });
  afterAll(async () => t.close());

  it("answers a SCIM 400 and logs the request once", async () => {
    const res = await t.app.inject({ method: "GET", url: `${d.base}/Users/%00%ED%A0%80?x=%00`, headers: d.headers });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "400" });
    await t.app.requestLog.flush();
    const rows = await t.app.db.pool.query("SELECT method, path, status FROM scim_requests WHERE directory_id = $1", [d.directoryId]);
    expect(rows.rows).toEqual([{ method: "GET", path: "/Users/%00%ED%A0%80", status: 400 }]);
    expect(t.app.requestLog.dropped).toBe(0);
  });
});
