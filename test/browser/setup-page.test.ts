import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminAuth, buildTestApp, type TestApp } from "../helpers/test-app.js";
import { createDirectory, createSetupLinkUrl } from "../http/setup/directory-fixture.js";
import {
  haveChromium,
  launchChromium,
  listenLocally,
  newPageWatch,
  openPage as openWatchedPage,
  screenshotDirectory,
} from "./browser-harness.js";

// The IT admin's path through the setup page in a real browser (Debian's Chromium via playwright-core):
// open the link, reveal a token, send Entra's Test Connection request with it, watch the panel change.
// UPDATE_DOCS=1 writes the screenshot to docs/setup-page.png; otherwise it goes to a temp directory.

const screenshotPath = join(screenshotDirectory(), "setup-page.png");

describe.skipIf(!haveChromium)("setup page in a browser", () => {
  let t: TestApp;
  let browser: Browser;
  let origin: string;
  const watch = newPageWatch();
  const cspViolations = watch.cspViolations;
  const scriptErrors = watch.scriptErrors;

  beforeAll(async () => {
    t = await buildTestApp({ PUBLIC_URL: "https://scimbridge.example.com" });
    origin = await listenLocally(t.app);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** PUBLIC_URL is what the admin sees (as behind a reverse proxy); the test talks to the listening server. */
  const local = (publicUrl: string) => publicUrl.replace(t.config.publicUrl, origin);

  const openPage = (javaScriptEnabled = true): Promise<Page> => openWatchedPage(browser, watch, { javaScriptEnabled, height: 900 });

  it("walks from the link to a successful Test Connection, live", async () => {
    const directoryId = await createDirectory(t.app, "Contoso Ltd");
    const link = await createSetupLinkUrl(t.app, directoryId);
    expect(link.url.startsWith("https://scimbridge.example.com/setup/")).toBe(true);
    const page = await openPage();

    const res = await page.goto(local(link.url));
    expect(res?.status()).toBe(200);
    expect(scriptErrors).toEqual([]);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Connect Contoso Ltd to your identity provider");
    expect(await page.locator("#status [data-field=headline]").textContent()).toBe(
      "Waiting for the first request from your identity provider",
    );

    // tabs: Entra first, Okta one click away
    expect(await page.locator("#entra").isVisible()).toBe(true);
    expect(await page.locator("#okta").isVisible()).toBe(false);
    await page.getByRole("tab", { name: "Okta" }).click();
    expect(await page.locator("#okta").isVisible()).toBe(true);
    expect(await page.locator("#entra").isVisible()).toBe(false);
    await page.getByRole("tab", { name: "Microsoft Entra ID" }).click();

    // Reveal token: a plain form POST, the page comes back with the token shown once
    await Promise.all([page.waitForURL(/\/secret-token$/), page.getByRole("button", { name: "Reveal token" }).click()]);
    const tenantUrl = await page.getByLabel("Tenant URL", { exact: true }).inputValue();
    const secretToken = await page.getByLabel("Secret Token", { exact: true }).inputValue();
    expect(tenantUrl).toBe(`https://scimbridge.example.com/scim/v2/${directoryId}`);
    expect(secretToken).toMatch(/^scim_[A-Za-z0-9_-]{43}$/);

    // the copy button puts the Tenant URL on the clipboard
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin });
    await page.getByRole("button", { name: "Copy Tenant URL" }).click();
    // the label changes once the clipboard write resolves: wait for it (with a deadline), don't race it
    await expect.poll(() => page.getByRole("button", { name: "Copy Tenant URL" }).textContent(), { timeout: 5000 }).toBe("Copied");
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(tenantUrl);

    // first a wrong token, as when the admin pastes the wrong thing: the panel says so, as a count (anyone
    // who knows the Tenant URL can send such requests, so they never become the IdP's errors)
    const testConnection = (token: string) =>
      fetch(`${local(tenantUrl)}/Users?filter=${encodeURIComponent(`userName eq "${randomUUID()}"`)}`, {
        headers: { authorization: `Bearer ${token}`, "client-request-id": randomUUID() },
      });
    const denied = await testConnection(`${secretToken.slice(0, -4)}AAAA`);
    expect(denied.status).toBe(401);
    await expect
      .poll(() => page.locator("#status [data-field=headline]").textContent(), { timeout: 10_000, interval: 250 })
      .toBe("Requests arrive, but none with a valid token yet: check the Secret Token");
    expect(await page.locator("#status [data-field=unauthenticated]").textContent()).toMatch(
      /^1 request without a valid token in the last 24 h\./,
    );
    expect(await page.locator("#status").getAttribute("data-state")).toBe("waiting");
    expect(await page.locator("#status [data-errors] li").count()).toBe(0);

    // then Entra's Test Connection with the revealed token: 200 and an empty list
    const ok = await testConnection(secretToken);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ totalResults: 0, Resources: [] });
    await expect
      .poll(() => page.locator("#status [data-field=testConnection]").textContent(), { timeout: 10_000, interval: 250 })
      .toMatch(/^Succeeded at /);
    expect(await page.locator("#status").getAttribute("data-state")).toBe("connected");
    expect(await page.locator("#status [data-field=lastRequest]").textContent()).toMatch(/^GET \/Users → 200 OK at /);

    await page.screenshot({ path: screenshotPath, fullPage: true });
    expect(cspViolations).toEqual([]);
    expect(scriptErrors).toEqual([]);
    await page.context().close();
  });

  it("works without JavaScript: every guide visible, status rendered, Reveal token still works", async () => {
    const directoryId = await createDirectory(t.app, "Northwind");
    const link = await createSetupLinkUrl(t.app, directoryId);
    const page = await openPage(false);
    expect((await page.goto(local(link.url)))?.status()).toBe(200);
    for (const id of ["#entra", "#okta", "#generic"]) expect(await page.locator(id).isVisible()).toBe(true);
    expect(await page.locator("button[data-copy]").first().isVisible()).toBe(false);
    expect(await page.locator("#status [data-field=headline]").textContent()).toBe(
      "Waiting for the first request from your identity provider",
    );
    await Promise.all([page.waitForURL(/\/secret-token$/), page.getByRole("button", { name: "Reveal token" }).click()]);
    expect(await page.getByLabel("Secret Token", { exact: true }).inputValue()).toMatch(/^scim_/);
    await page.context().close();
  });

  it("an expired link and a revoked link show a clear message", async () => {
    const directoryId = await createDirectory(t.app, "Fabrikam");
    const expired = await createSetupLinkUrl(t.app, directoryId);
    await t.app.db.prisma.setupLink.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    const revoked = await createSetupLinkUrl(t.app, directoryId);
    const del = await t.app.inject({
      method: "DELETE",
      url: `/api/v1/directories/${directoryId}/setup-links/${revoked.id}`,
      headers: adminAuth,
    });
    expect(del.statusCode).toBe(204);

    const page = await openPage();
    const first = await page.goto(local(expired.url));
    expect(first?.status()).toBe(410);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("This setup link has expired");
    expect(await page.getByRole("main").textContent()).toContain("Ask the team that sent it to you for a new link");

    const second = await page.goto(local(revoked.url));
    expect(second?.status()).toBe(410);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("This setup link was revoked");
    expect(await page.getByRole("button", { name: "Reveal token" }).count()).toBe(0);
    expect(cspViolations).toEqual([]);
    await page.context().close();
  });
});
