import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../helpers/test-app.js";
import { createDirectory, createSetupLinkUrl } from "./directory-fixture.js";

// Reveal token issues a credential, so a page on another site must not be able to submit it (CSRF), and a
// setup link opens in the one spelling that was issued: every other spelling is an unknown link.

const issuedToken = (page: string) => /id="secret-token"[^>]*value="(scim_[^"]*)"/.exec(page)?.[1];
/** The page without its per-response CSP nonces, to compare two answers. */
const withoutNonces = (body: string) => body.replace(/nonce="[^"]*"/g, 'nonce=""');

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Other last characters that decode to the same bytes: base64url's spare low bits set differently. */
function spareBitSpellings(part: string, spareBits: number): string[] {
  const last = B64URL.indexOf(part.at(-1)!);
  const base = last & ~((1 << spareBits) - 1);
  return Array.from({ length: 1 << spareBits }, (_, i) => base | i)
    .filter((v) => v !== last)
    .map((v) => part.slice(0, -1) + B64URL[v]);
}

describe("setup page: cross-site requests and link spellings", () => {
  let t: TestApp;
  let directoryId: string;
  beforeAll(async () => {
    t = await buildTestApp({ MAX_TOKENS_PER_DIRECTORY: "50" });
    directoryId = await createDirectory(t.app, "Contoso");
  });
  afterAll(async () => t.close());

  const tokenCount = () => t.app.db.prisma.directoryToken.count({ where: { directoryId } });
  const form = { "content-type": "application/x-www-form-urlencoded" };

  it("refuses a cross-site Reveal token with 403 and a page that says why, issuing nothing", async () => {
    const link = await createSetupLinkUrl(t.app, directoryId);
    const before = await tokenCount();
    for (const headers of [
      { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      { origin: "https://evil.example" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { origin: "null" },
      { origin: "null", "sec-fetch-site": "cross-site" },
      { origin: "https://evil.example", "sec-fetch-site": "same-origin" },
      { origin: "http://scimbridge.test.evil.example", "sec-fetch-site": "cross-site" },
    ]) {
      const res = await t.app.inject({ method: "POST", url: `${link.path}/secret-token`, headers: { ...form, ...headers }, payload: "" });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(res.headers["cache-control"]).toBe("no-store");
      expect(res.body).toContain("This request came from another site");
      expect(res.body).toContain("Reveal token button");
      expect(issuedToken(res.body)).toBeUndefined();
    }
    expect(await tokenCount()).toBe(before);
  });

  it("a same-origin Reveal token works: Origin of PUBLIC_URL or of the request's own host", async () => {
    const link = await createSetupLinkUrl(t.app, directoryId);
    for (const headers of [
      { origin: "http://scimbridge.test", "sec-fetch-site": "same-origin" },
      { origin: "http://127.0.0.1:8080", host: "127.0.0.1:8080", "sec-fetch-site": "same-origin" },
      // what Chromium sends for the page's own form under Referrer-Policy: no-referrer
      { origin: "null", "sec-fetch-site": "same-origin" },
      { "sec-fetch-site": "none" },
      {},
    ]) {
      const res = await t.app.inject({ method: "POST", url: `${link.path}/secret-token`, headers: { ...form, ...headers }, payload: "" });
      expect(res.statusCode, JSON.stringify(headers)).toBe(200);
      const token = issuedToken(res.body);
      expect(token).toMatch(/^scim_[A-Za-z0-9_-]{43}$/);
      expect((await t.app.secretTokens.verify(directoryId, token!))?.directoryId).toBe(directoryId);
    }
  });

  it("only the issued spelling of a link opens it; every other spelling answers exactly like an unknown link", async () => {
    const link = await createSetupLinkUrl(t.app, directoryId);
    const [id, signature] = link.token.split(".") as [string, string];
    const encodeFirst = `%${link.token.charCodeAt(0).toString(16).toUpperCase()}${link.token.slice(1)}`;
    const spellings = [
      ...spareBitSpellings(id, 4).map((v) => `${v}.${signature}`),
      ...spareBitSpellings(signature, 2).map((v) => `${id}.${v}`),
      link.token.toUpperCase(),
      link.token.toLowerCase(),
      encodeFirst,
      link.token.replace(".", "%2E"),
      `${link.token}=`,
      `${link.token}%3D%3D`,
      `${link.token}x`,
      `${link.token}%00`,
      `${link.token}%20`,
    ];
    expect(spellings.length).toBeGreaterThanOrEqual(25);
    const unknown = await t.app.inject({ method: "GET", url: "/setup/never-issued" });
    expect(unknown.statusCode).toBe(404);
    const unknownStatus = await t.app.inject({ method: "GET", url: "/setup/never-issued/status" });
    const before = await tokenCount();
    for (const spelling of spellings) {
      const page = await t.app.inject({ method: "GET", url: `/setup/${spelling}` });
      expect(page.statusCode, spelling).toBe(404);
      expect(withoutNonces(page.body), spelling).toBe(withoutNonces(unknown.body));
      const status = await t.app.inject({ method: "GET", url: `/setup/${spelling}/status` });
      expect(status.statusCode, spelling).toBe(404);
      expect(status.body).toBe(unknownStatus.body);
      const reveal = await t.app.inject({ method: "POST", url: `/setup/${spelling}/secret-token`, headers: form, payload: "" });
      expect(reveal.statusCode, spelling).toBe(404);
      expect(withoutNonces(reveal.body), spelling).toBe(withoutNonces(unknown.body));
    }
    expect(await tokenCount()).toBe(before);
    // the issued spelling still opens, with or without a query string
    expect((await t.app.inject({ method: "GET", url: link.path })).statusCode).toBe(200);
    expect((await t.app.inject({ method: "GET", url: `${link.path}?utm_source=mail` })).statusCode).toBe(200);
  });
});
