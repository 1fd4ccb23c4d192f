import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../helpers/test-app.js";

// By default a client cannot escape the per-IP limit on failed logins by inventing X-Forwarded-For.
describe("client IP without TRUST_PROXY", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ AUTH_FAILURE_LIMIT_PER_MINUTE: "3" });
  });
  afterAll(async () => t.close());

  it("ignores a spoofed X-Forwarded-For: rotating it still hits the per-IP limit", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await t.app.inject({
        method: "GET",
        url: "/api/v1/directories",
        headers: { authorization: "Bearer wrong-key-0123456789abcdef", "x-forwarded-for": `198.51.100.${i + 1}` },
      });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3)).toEqual([429, 429, 429]);
  });
});
