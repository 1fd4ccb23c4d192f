import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/event-fixtures.js";
import { TEST_ADMIN_KEY } from "../helpers/test-app.js";
import {
  createLiveDirectory,
  ERROR_SCHEMA,
  type LiveDirectory,
  type LiveService,
  liveDirectory,
  newGroup,
  newUser,
  patchBody,
  requestJson,
  type ScimResponse,
  startLiveService,
  statusCounts,
} from "./live-service.js";

// Hostile and malformed input over real HTTP: precise 4xx answers, nothing stored, no crash, no stack
// traces, no secrets in the log, security headers on HTML, CORS closed.

const MEMBER_LIMIT = 5;
const PATCH_OPS_LIMIT = 4;
// per IP and per directory; the auth tests below stay under it by using distinct client IPs
const AUTH_LIMIT = 12;
const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 9).toString("base64")}`;

let live: LiveService;
let sql: pg.Pool;
let dir: LiveDirectory;
/** Every error response seen, checked at the end for stack traces and internals. */
const errorResponses: ScimResponse[] = [];

async function send(
  d: LiveDirectory,
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<ScimResponse> {
  const res = await d.scim(method, path, body, headers);
  if (res.status >= 400) errorResponses.push(res);
  return res;
}

function expectScimError(res: ScimResponse, status: number, scimType?: string): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/scim\+json/);
  expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}) });
  expect(String(res.body.detail).length).toBeGreaterThan(0);
}

beforeAll(async () => {
  live = await startLiveService({
    SCIM_MAX_MEMBERS_PER_REQUEST: String(MEMBER_LIMIT),
    SCIM_PATCH_MAX_OPERATIONS: String(PATCH_OPS_LIMIT),
    SCIM_MAX_BODY_BYTES: String(64 * 1024),
    AUTH_FAILURE_LIMIT_PER_MINUTE: String(AUTH_LIMIT),
    LOG_LEVEL: "debug",
    // the test client plays the load balancer in front of the service
    TRUST_PROXY: "127.0.0.1",
  });
  sql = new pg.Pool({ connectionString: live.database.url, max: 2 });
  dir = await createLiveDirectory(live, "Hostile", { webhook: { url: "http://127.0.0.1:9/hook", secret: WEBHOOK_SECRET } });
});
afterAll(async () => {
  await sql?.end();
  await live?.close();
}, 120_000);

describe("bodies", () => {
  it("a body over SCIM_MAX_BODY_BYTES is 413 with a SCIM error body, nothing stored", async () => {
    const res = await send(dir, "POST", "/Users", newUser("big@example.com", { title: "x".repeat(70 * 1024) }));
    expectScimError(res, 413);
    expect((await sql.query("SELECT 1 FROM scim_users WHERE user_name = 'big@example.com'")).rowCount).toBe(0);
  });

  it("deeply nested JSON (10,000 levels) is a 400, and the service keeps answering", async () => {
    const deep = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"deep@example.com","title":${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
    const res = await send(dir, "POST", "/Users", deep);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: "400" });
    // parses as JSON, but deeper than any SCIM resource needs (100,000 levels overflow Postgres's jsonb stack: a 500)
    const deepObject = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"deep2@example.com","urn:acme:2.0:User":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}`;
    expectScimError(await send(dir, "POST", "/Users", deepObject), 400, "invalidValue");
    expectScimError(
      await send(dir, "POST", "/Groups", newGroup("Deep", { "urn:acme:2.0:Group": JSON.parse(`${'{"a":'.repeat(40)}1${"}".repeat(40)}`) })),
      400,
      "invalidValue",
    );
    expect((await sql.query("SELECT 1 FROM scim_users WHERE user_name LIKE 'deep%'")).rowCount).toBe(0);
    expect((await send(dir, "GET", "/Users?count=1")).status).toBe(200);
  });

  it("invalid UTF-8 in a body is 400 invalidSyntax, not stored with replacement characters", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bad'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('@example.com"}'),
    ]);
    const res = await requestJson(`${dir.tenantUrl}/Users`, {
      method: "POST",
      headers: { authorization: `Bearer ${dir.token}`, "content-type": "application/scim+json" },
      body: bytes,
    });
    errorResponses.push(res);
    expectScimError(res, 400, "invalidSyntax");
    expect((await sql.query("SELECT 1 FROM scim_users WHERE user_name LIKE 'bad%'")).rowCount).toBe(0);
  });

  it("NUL characters in stored text are 400 invalidValue, not a database error", async () => {
    expectScimError(await send(dir, "POST", "/Users", newUser("nul\u0000@example.com")), 400, "invalidValue");
    expectScimError(await send(dir, "POST", "/Users", newUser("nul2@example.com", { title: "a\u0000b" })), 400, "invalidValue");
    expectScimError(await send(dir, "GET", `/Users?filter=${encodeURIComponent('userName eq "a\\u0000"')}`), 400, "invalidFilter");
  });

  it("wrong content types are 415; malformed JSON is 400 invalidSyntax", async () => {
    for (const type of ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const res = await send(dir, "POST", "/Users", JSON.stringify(newUser("ct@example.com")), { "content-type": type });
      expectScimError(res, 415);
    }
    expectScimError(await send(dir, "POST", "/Users", '{"userName": "x@example.com",'), 400, "invalidSyntax");
    expect((await sql.query("SELECT 1 FROM scim_users WHERE user_name = 'ct@example.com'")).rowCount).toBe(0);
  });

  it("members beyond SCIM_MAX_MEMBERS_PER_REQUEST and operations beyond SCIM_PATCH_MAX_OPERATIONS are 400 invalidValue; the limits are advertised", async () => {
    const users = [];
    for (let i = 0; i <= MEMBER_LIMIT; i++)
      users.push((await send(dir, "POST", "/Users", newUser(`lim${i}@example.com`))).body.id as string);
    const members = users.map((value) => ({ value }));
    expectScimError(await send(dir, "POST", "/Groups", newGroup("Too big", { members })), 400, "invalidValue");
    expect((await sql.query("SELECT 1 FROM scim_groups WHERE display_name = 'Too big'")).rowCount).toBe(0);
    const group = (await send(dir, "POST", "/Groups", newGroup("Limits"))).body.id as string;
    expectScimError(
      await send(dir, "PATCH", `/Groups/${group}`, patchBody({ op: "add", path: "members", value: members })),
      400,
      "invalidValue",
    );
    const split = users.map((value) => ({ op: "add", path: "members", value: [{ value }] }));
    expectScimError(await send(dir, "PATCH", `/Groups/${group}`, patchBody(...split)), 400, "invalidValue");
    expect((await sql.query("SELECT count(*)::int AS n FROM group_members WHERE group_id = $1", [group])).rows[0].n).toBe(0);
    const config = await send(dir, "GET", "/ServiceProviderConfig");
    expect(config.body.patch).toMatchObject({ supported: true });
    expect(JSON.stringify(config.body)).toContain('"maxPayloadSize"');
  });
});

describe("paging", () => {
  it("absurd startIndex and count values are clamped, never a database error", async () => {
    for (const [startIndex, count] of [
      ["9999999999999999999999999999999999999999", "5"],
      ["1e30", "1e30"],
      ["-5", "-5"],
    ]) {
      const res = await send(dir, "GET", `/Users?startIndex=${startIndex}&count=${count}`);
      expect({ startIndex, status: res.status }).toEqual({ startIndex, status: 200 });
      expect(res.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]);
    }
    expect((await send(dir, "GET", "/Users?startIndex=9999999999999999999999&count=5")).body.Resources ?? []).toEqual([]);
    const words = await send(dir, "GET", "/Users?startIndex=abc&count=xyz");
    expect(words.status).toBe(400);
    expect(words.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: "400" });
  });
});

describe("prototype pollution", () => {
  it("__proto__ and constructor.prototype in bodies, PATCH paths and filters change nothing", async () => {
    const user = await send(dir, "POST", "/Users", newUser("proto@example.com"));
    expect(user.status).toBe(201);
    const id = user.body.id as string;
    const bodies = [
      `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"proto2@example.com","__proto__":{"polluted":"yes"}}`,
      `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"proto3@example.com","constructor":{"prototype":{"polluted":"yes"}}}`,
      `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"proto4@example.com","name":{"__proto__":{"polluted":"yes"}}}`,
    ];
    for (const body of bodies) {
      const res = await send(dir, "POST", "/Users", body);
      expect(res.status, res.text).toBe(400);
    }
    const patches = [
      patchBody({ op: "add", path: "__proto__.polluted", value: "yes" }),
      patchBody({ op: "add", path: "constructor.prototype.polluted", value: "yes" }),
      patchBody({ op: "replace", path: "name.__proto__", value: { polluted: "yes" } }),
      patchBody({ op: "add", path: "urn:acme:2.0:User:__proto__", value: { polluted: "yes" } }),
      JSON.parse(
        '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"__proto__":{"polluted":"yes"}}}]}',
      ),
      JSON.parse(
        '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"constructor":{"prototype":{"polluted":"yes"}}}}]}',
      ),
    ];
    for (const body of patches) {
      const res = await send(dir, "PATCH", `/Users/${id}`, JSON.stringify(body));
      expect(res.status, res.text).toBe(400);
      expect(["invalidPath", "invalidValue", "invalidSyntax"]).toContain(res.body.scimType);
    }
    for (const filter of ['__proto__ eq "x"', "constructor.prototype pr", 'name.__proto__ eq "x"', 'emails[__proto__ eq "x"]']) {
      expectScimError(await send(dir, "GET", `/Users?filter=${encodeURIComponent(filter)}`), 400, "invalidFilter");
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const stored = await sql.query("SELECT resource::text AS r, version FROM scim_users WHERE id = $1", [id]);
    expect(stored.rows[0].r).not.toMatch(/polluted|__proto__|constructor/);
    expect(stored.rows[0].version).toBe(1);
    expect((await sql.query("SELECT 1 FROM scim_users WHERE resource::text LIKE '%polluted%'")).rowCount).toBe(0);
  });
});

describe("request ids", () => {
  it("a client-request-id with CR/LF never reaches a header; unsafe ids are replaced, safe ones echoed", async () => {
    // raw socket: fetch itself refuses to send CR/LF in a header
    const raw = await new Promise<string>((resolve, reject) => {
      const url = new URL(live.baseUrl);
      const socket = net.connect(Number(url.port), url.hostname, () => {
        socket.write(
          `GET /scim/v2/${dir.id}/Users?count=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${dir.token}\r\nclient-request-id: abc\rX-Injected: yes\r\nConnection: close\r\n\r\n`,
        );
      });
      let data = "";
      socket.on("data", (d) => (data += d));
      socket.on("end", () => resolve(data));
      socket.on("error", reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    expect(raw.toLowerCase()).not.toContain("x-injected");
    for (const hostile of ["a b", "<script>", "x".repeat(500), "id%0d%0aSet-Cookie:x", '"quoted"']) {
      const res = await send(dir, "GET", "/Users?count=1", undefined, { "client-request-id": hostile });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-request-id")).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
      expect(res.headers.get("x-request-id")).not.toBe(hostile);
    }
    const ok = await send(dir, "GET", "/Users?count=1", undefined, { "client-request-id": "1b0c6f0e-entra-42" });
    expect(ok.headers.get("x-request-id")).toBe("1b0c6f0e-entra-42");
  });
});

describe("authentication", () => {
  it("missing, malformed, unknown, revoked, expired and other-directory tokens all get the same 401", async () => {
    const other = await createLiveDirectory(live, "Other");
    const extra = await requestJson(`${live.baseUrl}/api/v1/directories/${dir.id}/tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    expect(extra.status).toBe(201);
    const revoked = extra.body.secretToken as string;
    expect((await send(liveDirectory(live.baseUrl, dir.id, revoked), "GET", "/Users?count=1")).status).toBe(200);
    const del = await fetch(`${live.baseUrl}/api/v1/directories/${dir.id}/tokens/${extra.body.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    expect(del.status).toBe(204);
    const expiring = await requestJson(`${live.baseUrl}/api/v1/directories/${dir.id}/tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    await sql.query("UPDATE directory_tokens SET expires_at = now() - interval '1 minute' WHERE id = $1", [expiring.body.id]);

    const url = `${dir.tenantUrl}/Users?count=1`;
    const cases: Record<string, Record<string, string>> = {
      missing: {},
      basic: { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` },
      emptyBearer: { authorization: "Bearer " },
      twoWords: { authorization: `Bearer ${dir.token} extra` },
      unknown: { authorization: `Bearer scim_${"A".repeat(43)}` },
      adminKeyAsScimToken: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
      revoked: { authorization: `Bearer ${revoked}` },
      expired: { authorization: `Bearer ${expiring.body.secretToken}` },
      otherDirectory: { authorization: `Bearer ${other.token}` },
    };
    const bodies = new Set<string>();
    for (const [name, headers] of Object.entries(cases)) {
      const res = await requestJson(url, { headers: { ...headers, "x-forwarded-for": "198.51.100.1" } });
      errorResponses.push(res);
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      bodies.add(JSON.stringify(res.body));
    }
    expect(bodies.size).toBe(1);
    // the other directory's token still works where it belongs
    expect((await send(other, "GET", "/Users?count=1")).status).toBe(200);
  });

  it("admin API without a key or with a wrong key is 401 problem+json", async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: "Bearer wrong-key-0123456789abcdef" },
      { authorization: `Bearer ${dir.token}` },
    ]) {
      const res = await requestJson(`${live.baseUrl}/api/v1/directories`, { headers: { ...headers, "x-forwarded-for": "198.51.100.2" } });
      errorResponses.push(res);
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
  });

  it("brute force is rate limited with 429 and Retry-After, per IP and per directory, while the directory's real token keeps working", async () => {
    const target = await createLiveDirectory(live, "Target");
    const guess = (i: number, ip: string) =>
      requestJson(`${target.tenantUrl}/Users`, {
        headers: { authorization: `Bearer scim_guess${String(i).padStart(40, "0")}`, "x-forwarded-for": ip },
      });
    // one IP
    const fromOne = await Promise.all(Array.from({ length: AUTH_LIMIT * 3 }, (_, i) => guess(i, "203.0.113.7")));
    expect(statusCounts(fromOne)[401]).toBeLessThanOrEqual(AUTH_LIMIT);
    expect(statusCounts(fromOne)[429]).toBeGreaterThanOrEqual(AUTH_LIMIT * 2);
    const limited = fromOne.find((r) => r.status === 429)!;
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: "429" });
    // a new IP per guess (spoofed X-Forwarded-For, a botnet): the directory's own counter still refuses
    const rotating = await Promise.all(Array.from({ length: AUTH_LIMIT }, (_, i) => guess(i, `203.0.114.${i + 1}`)));
    expect(statusCounts(rotating)).toEqual({ 429: AUTH_LIMIT });
    errorResponses.push(...fromOne, ...rotating);
    // the IdP's valid token is not locked out, not even from the IP that is over the limit
    expect((await send(target, "GET", "/Users?count=1", undefined, { "x-forwarded-for": "203.0.113.7" })).status).toBe(200);
    expect((await send(target, "GET", "/Users?count=1", undefined, { "x-forwarded-for": "192.0.2.50" })).status).toBe(200);
    // the admin API is limited per IP too
    const admin = await Promise.all(
      Array.from({ length: AUTH_LIMIT + 3 }, () =>
        requestJson(`${live.baseUrl}/api/v1/directories`, {
          headers: { authorization: "Bearer guess-guess-guess-guess", "x-forwarded-for": "203.0.113.9" },
        }),
      ),
    );
    expect(statusCounts(admin)[429]).toBeGreaterThanOrEqual(3);
  });
});

describe("what a client never sees, and what the log never holds", () => {
  it("security headers on HTML pages; no CORS headers anywhere", async () => {
    const link = await requestJson(`${live.baseUrl}/api/v1/directories/${dir.id}/setup-links`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    expect(link.status).toBe(201);
    const setupPath = new URL(link.body.url as string).pathname;
    for (const path of [setupPath, "/docs/"]) {
      const res = await fetch(`${live.baseUrl}${path}`, { headers: { origin: "https://evil.example" } });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      expect(res.headers.get("content-security-policy"), path).toMatch(/frame-ancestors 'none'|default-src/);
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("x-frame-options") ?? res.headers.get("content-security-policy"), path).toMatch(
        /DENY|SAMEORIGIN|frame-ancestors/,
      );
      expect(res.headers.get("referrer-policy"), path).toBeTruthy();
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
    for (const [method, path] of [
      ["OPTIONS", `/scim/v2/${dir.id}/Users`],
      ["OPTIONS", "/api/v1/directories"],
      ["GET", `/scim/v2/${dir.id}/Users`],
      ["GET", "/api/v1/directories"],
    ] as const) {
      const res = await fetch(`${live.baseUrl}${path}`, {
        method,
        headers: {
          origin: "https://evil.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization",
          ...(method === "GET" && path.startsWith("/scim")
            ? { authorization: `Bearer ${dir.token}` }
            : method === "GET"
              ? { authorization: `Bearer ${TEST_ADMIN_KEY}` }
              : {}),
        },
      });
      expect({
        method,
        path,
        acao: res.headers.get("access-control-allow-origin"),
        acac: res.headers.get("access-control-allow-credentials"),
      }).toEqual({ method, path, acao: null, acac: null });
    }
  });

  it("no error response carries a stack trace, file path or internal error text", async () => {
    expect(errorResponses.length).toBeGreaterThan(30);
    for (const res of errorResponses) {
      expect(res.text).not.toMatch(/\n\s+at |\.ts:\d+|node_modules|\/work\/|Prisma|pg_|SQLSTATE|stack/i);
    }
  });

  it("tokens, admin keys and webhook secrets never appear in the log", async () => {
    const log = live.logText();
    expect(log.length).toBeGreaterThan(1000);
    expect(log).not.toContain(dir.token);
    expect(log).not.toContain(dir.token.slice(12));
    expect(log).not.toContain(TEST_ADMIN_KEY);
    expect(log).not.toContain(WEBHOOK_SECRET);
    expect(log).not.toContain(WEBHOOK_SECRET.slice(10, 40));
    expect(log).not.toMatch(/scim_[A-Za-z0-9_-]{30,}/);
  });

  it("the SCIM request log and admin API reads never hold tokens or webhook secrets after creation", async () => {
    const read = () =>
      sql.query(
        "SELECT count(*)::int AS n, bool_or(row_to_json(r)::text LIKE '%' || $1 || '%' OR row_to_json(r)::text LIKE '%' || $2 || '%') AS leaked FROM scim_requests r",
        [dir.token, WEBHOOK_SECRET],
      );
    // the request log is written in batches (every 500 ms): wait for this file's requests to be flushed
    await waitFor(async () => (await read()).rows[0].n > 10, 10000, "the request log to hold this file's requests");
    const stored = await read();
    expect(stored.rows[0].n).toBeGreaterThan(10);
    expect(stored.rows[0].leaked).toBe(false);
    for (const path of [
      `/api/v1/directories/${dir.id}`,
      "/api/v1/directories",
      `/api/v1/directories/${dir.id}/tokens`,
      `/api/v1/directories/${dir.id}/scim-requests`,
    ]) {
      const res = await requestJson(`${live.baseUrl}${path}`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.text).not.toContain(dir.token);
      expect(res.text).not.toContain(WEBHOOK_SECRET);
    }
  });
});
