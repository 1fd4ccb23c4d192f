import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../helpers/test-app.js";

// At the default level (info) each request is one log line, written at the response.

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe("request logging", () => {
  it("writes one line per request with method, url, status, time and the request id", async () => {
    const res = await t.app.inject({ method: "GET", url: "/healthz?probe=1", headers: { "x-request-id": "one-line-test" } });
    const lines = t.logs.filter((l) => l.reqId === "one-line-test");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: "request completed",
      req: { method: "GET", url: "/healthz?probe=1" },
      res: { statusCode: res.statusCode },
    });
    expect(typeof lines[0]!.responseTime).toBe("number");
  });

  it("redacts setup-link tokens in the logged url", async () => {
    await t.app.inject({ method: "GET", url: "/setup/not-a-real-token", headers: { "x-request-id": "setup-redact-test" } });
    const [line] = t.logs.filter((l) => l.reqId === "setup-redact-test" && l.msg === "request completed");
    expect(line).toMatchObject({ req: { url: "/setup/[redacted]" }, res: { statusCode: 404 } });
  });
});
