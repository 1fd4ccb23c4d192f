import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestLogWriter } from "../../src/request-log/request-log-writer.js";
import { createScimDirectory, PATCH_OP, type ScimDirectory, scimClient, USER_SCHEMA } from "../helpers/scim-fixtures.js";
import { requestLogRow } from "../helpers/request-log-rows.js";
import { adminAuth, buildTestApp, type TestApp } from "../helpers/test-app.js";

// Issue 13, item 1: one request must never poison the request log. Every row of a batch that can be stored is
// stored, and the hostile request itself is stored sanitised (NUL and lone surrogates become U+FFFD).

interface LogEntry {
  method: string;
  path: string;
  query: string | null;
  status: number;
  detail: string | null;
  clientRequestId: string | null;
  body: string | null;
}

const REPLACEMENT = "\uFFFD";

describe("request log: hostile input", () => {
  let t: TestApp;
  let a: ScimDirectory;
  let b: ScimDirectory;
  beforeAll(async () => {
    t = await buildTestApp({ SCIM_REQUEST_LOG_BODY: "full" });
    a = await createScimDirectory(t, { name: "A" });
    b = await createScimDirectory(t, { name: "B" });
  });
  afterAll(async () => t.close());

  /** The directory's request log as the admin API shows it, oldest first. */
  async function logOf(d: ScimDirectory): Promise<LogEntry[]> {
    const res = await t.app.inject({
      method: "GET",
      url: `/api/v1/directories/${d.directoryId}/scim-requests?limit=200`,
      headers: adminAuth,
    });
    expect(res.statusCode).toBe(200);
    return (res.json().data as LogEntry[]).reverse();
  }

  async function logSince(d: ScimDirectory, before: number): Promise<LogEntry[]> {
    return (await logOf(d)).slice(before);
  }

  it("a NUL byte in an unauthenticated query string loses no other row, of any directory", async () => {
    const [beforeA, beforeB] = [(await logOf(a)).length, (await logOf(b)).length];
    await scimClient(t, a)("GET", "/Users?count=1");
    await scimClient(t, b)("GET", "/Groups?count=1");
    const hostile = await t.app.inject({ method: "GET", url: `/scim/v2/${a.directoryId}/x?a=%00&b=%ED%A0%80` });
    // no token and no such resource: whatever the service answers, it answers with a SCIM error, and logs it
    expect(hostile.statusCode).toBe(404);
    expect(hostile.json()).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "404" });
    await scimClient(t, b)("GET", "/Users?count=2");
    await t.app.requestLog.flush();

    expect(t.app.requestLog.dropped).toBe(0);
    const logA = await logSince(a, beforeA);
    expect(logA.map((r) => [r.method, r.path, r.status])).toEqual([
      ["GET", "/Users", 200],
      ["GET", "/x", 404],
    ]);
    // %ED%A0%80 is a surrogate's UTF-8 form, invalid in UTF-8: decoding already gives one U+FFFD per byte
    expect(logA[1]!.query).toBe(`a=${REPLACEMENT}&b=${REPLACEMENT.repeat(3)}`);
    expect((await logSince(b, beforeB)).map((r) => [r.path, r.query])).toEqual([
      ["/Groups", "count=1"],
      ["/Users", "count=2"],
    ]);
  });

  it("a NUL byte or lone surrogate in a header, the path or an echoed error detail is stored replaced", async () => {
    const before = (await logOf(a)).length;
    const scim = scimClient(t, a);
    // client-request-id is kept as sent
    const header = await scim("GET", "/Users?count=1", undefined, { "client-request-id": "req-\ud800-\u0000-end" });
    expect(header.status).toBe(200);
    // a PATCH path the service cannot parse comes back in the error detail, and so into the log
    const user = await scim("POST", "/Users", { schemas: [USER_SCHEMA], userName: "nul@contoso.example" });
    expect(user.status).toBe(201);
    const patch = await scim("PATCH", `/Users/${user.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", path: "name.\ud800\u0000x", value: "y" }],
    });
    expect(patch.status).toBe(400);
    expect(patch.body).toMatchObject({ status: "400", scimType: expect.any(String) });
    // a row handed to the writer directly (any future caller) is held to the same rule
    t.app.requestLog.add(requestLogRow(a.directoryId, { path: "/Users/\udc00\u0000", detail: "tail \ud83d" }));
    await t.app.requestLog.flush();

    expect(t.app.requestLog.dropped).toBe(0);
    const rows = await logSince(a, before);
    expect(rows.map((r) => [r.method, r.status])).toEqual([
      ["GET", 200],
      ["POST", 201],
      ["PATCH", 400],
      ["GET", 200],
    ]);
    expect(rows[0]!.clientRequestId).toBe(`req-${REPLACEMENT}-${REPLACEMENT}-end`);
    // the detail the client got, with what Postgres cannot store replaced (a UTF-8 round trip replaces lone surrogates)
    expect(rows[2]!.detail).toBe(Buffer.from(String(patch.body.detail).replaceAll("\u0000", REPLACEMENT), "utf8").toString("utf8"));
    // the body is JSON text: JSON escapes the characters, so the body keeps them exactly
    expect(JSON.parse(rows[2]!.body!).Operations[0].path).toBe("name.\ud800\u0000x");
    for (const r of rows) {
      for (const text of [r.path, r.query, r.detail, r.clientRequestId, r.body]) {
        // no NUL, and no lone surrogate (a UTF-8 round trip would replace it)
        expect(text ?? "").not.toContain("\u0000");
        expect(Buffer.from(text ?? "", "utf8").toString("utf8")).toBe(text ?? "");
      }
    }
    expect(rows[3]).toMatchObject({ path: `/Users/${REPLACEMENT}${REPLACEMENT}`, detail: `tail ${REPLACEMENT}` });
  });

  it("a body nested 20,000 levels deep gets its 400 and is logged, cut at a depth marker", async () => {
    const before = (await logOf(a)).length;
    const depth = 20_000;
    const deep = `{"schemas":["${USER_SCHEMA}"],"userName":"deep@contoso.example","x":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    const res = await t.app.inject({ method: "POST", url: `${a.base}/Users`, headers: a.headers, payload: deep });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status: "400", scimType: expect.any(String) });
    const nested = await t.app.inject({
      method: "POST",
      url: `${a.base}/Users`,
      headers: a.headers,
      payload: `{"a":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`,
    });
    expect(nested.statusCode).toBe(400);
    await t.app.requestLog.flush();

    const rows = await logSince(a, before);
    expect(rows.map((r) => [r.method, r.path, r.status])).toEqual([
      ["POST", "/Users", 400],
      ["POST", "/Users", 400],
    ]);
    expect(rows[0]!.body).toContain('"userName":"deep@contoso.example"');
    expect(rows[0]!.body).toContain("[nested too deep]");
    expect(rows[1]!.body).toContain("[nested too deep]");
    expect(Buffer.byteLength(rows[1]!.body!, "utf8")).toBeLessThanOrEqual(4096);
  });

  it("a batch with a row Postgres refuses stores every other row and drops only that one, with a log line", async () => {
    const [beforeA, beforeB] = [(await logOf(a)).length, (await logOf(b)).length];
    const warnings: { err: unknown; lost: number }[] = [];
    const writer = new RequestLogWriter(t.app.db, { flushMs: 60_000, onError: (err, lost) => warnings.push({ err, lost: lost.length }) });
    for (let i = 0; i < 7; i++) writer.add(requestLogRow(i % 2 ? b.directoryId : a.directoryId, { path: `/Users/${i}` }));
    // an int column cannot hold this status: a data error (22003) no text cleaning can prevent
    writer.add(requestLogRow(a.directoryId, { path: "/Users/bad", status: 2 ** 40 }));
    for (let i = 7; i < 12; i++) writer.add(requestLogRow(i % 2 ? b.directoryId : a.directoryId, { path: `/Users/${i}` }));
    await writer.close();

    expect(writer.dropped).toBe(1);
    expect(warnings).toEqual([{ err: expect.objectContaining({ code: "22003" }), lost: 1 }]);
    const paths = [...(await logSince(a, beforeA)), ...(await logSince(b, beforeB))].map((r) => r.path).sort();
    expect(paths).toEqual(Array.from({ length: 12 }, (_, i) => `/Users/${i}`).sort());
  });

  it("the app's writer reports a dropped row in the service log without its content", async () => {
    t.app.requestLog.add(requestLogRow(a.directoryId, { path: "/Users/secret-ish-path", status: 2 ** 40 }));
    await t.app.requestLog.flush();
    const line = t.logs.find((l) => l.msg === "dropped a SCIM request log row Postgres refused");
    expect(line).toMatchObject({ level: 40, directoryId: a.directoryId, rows: 1 });
    expect(JSON.stringify(line)).not.toContain("secret-ish-path");
    t.app.requestLog.dropped = 0;
  });
});
