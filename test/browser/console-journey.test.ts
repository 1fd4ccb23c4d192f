import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/test-app.js";
import { newSyncLog, syncTenant, syncUserName } from "../scale/entra-sync.js";
import { haveChromium, newPageWatch, openPage, screenshotDirectory } from "./browser-harness.js";
import { type ConsoleWithWorker, signInThroughForm, startConsoleWithWorker, visibleText } from "./console-browser.js";
import type { SwitchableReceiver } from "./webhook-switch.js";

// The operator's main journey through the console in a real browser (issue 15): sign in, create a directory,
// hand its setup link to the IT admin (a second browser) who reveals a token, watch Entra's sync arrive, open a
// user, retry a failed webhook delivery once the receiver is back, revoke the token and see the IdP refused,
// sign out. Every page visited is screenshotted: UPDATE_DOCS=1 writes them to docs/console/, else a temp dir.

const shots = screenshotDirectory("console");
const USERS = 5;
const TENANT = 1;

describe.skipIf(!haveChromium)("the operator console, end to end in a browser", () => {
  let t: TestApp;
  let browser: Browser;
  let origin: string;
  let receiver: SwitchableReceiver;
  let running: ConsoleWithWorker;
  const watch = newPageWatch();

  beforeAll(async () => {
    // a failed delivery waits an hour for its next attempt, so only the console's retry resends it
    running = await startConsoleWithWorker({
      PUBLIC_URL: "http://scimbridge.test",
      WEBHOOK_RETRY_SCHEDULE: "3600",
      WEBHOOK_TIMEOUT_MS: "2000",
    });
    ({ t, origin, browser, receiver } = running);
  });
  afterAll(async () => running?.close());

  /** PUBLIC_URL is what the operator sees (as behind a reverse proxy); the test talks to the listening server. */
  const local = (publicUrl: string) => publicUrl.replace(t.config.publicUrl, origin);
  const shoot = (page: Page, name: string, fullPage = false) => page.screenshot({ path: join(shots, `${name}.png`), fullPage });
  const heading = (page: Page) => page.getByRole("heading", { level: 1 }).textContent();

  /** Reloads until `check` holds (the page is server-rendered: a reload is what an operator would do). */
  async function reloadUntil(page: Page, check: () => Promise<boolean>, timeout = 15_000): Promise<void> {
    await expect
      .poll(
        async () => {
          if (await check()) return true;
          await page.reload();
          return check();
        },
        { timeout, interval: 250 },
      )
      .toBe(true);
  }

  it("sign in, create, set up, sync, inspect, retry a delivery, revoke, sign out", async () => {
    const page = await openPage(browser, watch);

    // 1. sign in through the form (the console sends an anonymous visitor there)
    await page.goto(`${origin}/console`);
    expect(new URL(page.url()).pathname).toBe("/console/sign-in");
    await shoot(page, "sign-in");
    await signInThroughForm(page, origin);
    expect(new URL(page.url()).pathname).toBe("/console/directories");
    expect(await heading(page)).toBe("Directories");

    // 2. create a directory, with the webhook endpoint (down for now): Tenant URL and secrets shown once
    await page.getByRole("link", { name: "New directory" }).click();
    await page.waitForURL(/\/console\/directories\/new$/);
    await page.getByLabel("Name", { exact: true }).fill("Contoso Ltd");
    await page.getByLabel("Tenant (optional)").fill("contoso");
    await page.getByLabel("Webhook URL (optional)").fill(receiver.url);
    await shoot(page, "directory-new");
    const created = page.waitForResponse((r) => r.request().method() === "POST");
    await page.getByRole("button", { name: "Create directory" }).click();
    expect((await created).status()).toBe(201);
    await page.waitForLoadState("load");
    const tenantUrl = await page.getByLabel("Tenant URL", { exact: true }).inputValue();
    const creationToken = await page.getByLabel("Secret Token", { exact: true }).inputValue();
    expect(tenantUrl).toMatch(/^http:\/\/scimbridge\.test\/scim\/v2\/[0-9a-f-]{36}$/);
    expect(creationToken).toMatch(/^scim_/);
    expect(await page.getByLabel("Webhook secret", { exact: true }).inputValue()).toMatch(/^whsec_/);
    const directoryId = tenantUrl.split("/").pop()!;
    const directory = `${origin}/console/directories/${directoryId}`;
    await shoot(page, "directory-created");

    await page.goto(`${directory}/webhook`);
    expect(await visibleText(page)).toContain(receiver.url);
    await shoot(page, "webhook");

    // 3. a setup link for the customer's IT admin, opened in another browser, where they reveal a token
    await page.goto(`${directory}/setup-links`);
    await page.getByRole("button", { name: "Create setup link" }).click();
    await page.waitForLoadState("load");
    const setupUrl = await page.getByLabel("Setup link", { exact: true }).inputValue();
    expect(setupUrl).toMatch(/^http:\/\/scimbridge\.test\/setup\//);
    await shoot(page, "setup-link-created");

    const itAdmin = await openPage(browser, watch);
    expect((await itAdmin.goto(local(setupUrl)))?.status()).toBe(200);
    await Promise.all([itAdmin.waitForURL(/\/secret-token$/), itAdmin.getByRole("button", { name: "Reveal token" }).click()]);
    expect(await itAdmin.getByLabel("Tenant URL", { exact: true }).inputValue()).toBe(tenantUrl);
    const idpToken = await itAdmin.getByLabel("Secret Token", { exact: true }).inputValue();
    expect(idpToken).toMatch(/^scim_/);
    await itAdmin.context().close();

    // 4. Entra's initial sync over real HTTP with the revealed token; the users page fills as it runs
    await page.goto(`${directory}/users`);
    expect(await visibleText(page)).not.toContain(syncUserName(TENANT, 0));
    const log = newSyncLog();
    const sync = syncTenant(
      origin,
      { index: TENANT, directoryId, scimPath: new URL(tenantUrl).pathname, token: idpToken },
      { users: USERS, groups: 1, membersPerGroup: USERS, memberBatch: 5 },
      log,
    );
    await reloadUntil(page, async () => (await page.locator("main tbody tr").count()) >= 1);
    await sync;
    expect(log.failures).toEqual([]);
    await reloadUntil(page, async () => (await page.locator("main tbody tr").count()) === USERS);
    for (let i = 0; i < USERS; i++) expect(await visibleText(page)).toContain(syncUserName(TENANT, i));
    await shoot(page, "users");

    // 5. open a user: its SCIM resource, app-facing shape, groups and events
    await page.getByRole("link", { name: syncUserName(TENANT, 0), exact: true }).click();
    await page.waitForLoadState("load");
    expect(await heading(page)).toBe(`User ${syncUserName(TENANT, 0)}`);
    expect(await visibleText(page)).toContain("Tenant 1 group 0");
    await shoot(page, "user");

    await page.goto(`${directory}/groups`);
    await page.getByRole("link", { name: "Tenant 1 group 0", exact: true }).click();
    await page.waitForLoadState("load");
    expect(await visibleText(page)).toContain(syncUserName(TENANT, USERS - 1));
    await shoot(page, "group");

    await page.goto(`${directory}/events`);
    expect(await visibleText(page)).toContain("user.created");
    await shoot(page, "events");

    // 6. the receiver answered 500: the first delivery failed (and holds the rest back, in order)
    await page.goto(`${directory}/deliveries?status=failed`);
    await reloadUntil(page, async () => (await page.locator("main tbody tr").count()) === 1);
    await shoot(page, "deliveries");
    await page.locator("main tbody tr a").first().click();
    await page.waitForLoadState("load");
    expect(await visibleText(page)).toContain("HTTP 500");
    receiver.answerOk();
    await page.getByRole("button", { name: "Retry now" }).click();
    await page.waitForURL(/retried=1$/);
    await reloadUntil(page, async () => (await page.locator("main .facts").first().textContent())?.includes("delivered") ?? false);
    expect(receiver.accepted.length).toBeGreaterThanOrEqual(1);
    // the attempt history keeps the failure that came before
    expect(await page.locator("main").textContent()).toMatch(/HTTP 500[\s\S]*HTTP 204|HTTP 204[\s\S]*HTTP 500/);
    await shoot(page, "delivery");
    // and the queue behind it drains
    await page.goto(`${directory}/deliveries`);
    await reloadUntil(page, async () => {
      const statuses = await page.locator("main tbody tr .badge").allTextContents();
      return statuses.length > USERS && statuses.every((status) => status === "delivered");
    });

    // 7. revoke the IdP's token in the console; its next request is refused and shows in the request log
    await page.goto(`${directory}/tokens`);
    expect(await page.locator("#tokens tbody tr").count()).toBe(2);
    // a token shows by its first characters: the IdP's is the one its token starts with
    const revoke = page.getByRole("button", { name: /^Revoke token / });
    const names = await revoke.evaluateAll((buttons) => buttons.map((b) => b.getAttribute("aria-label") ?? ""));
    const idpButton = names.find((name) => idpToken.startsWith(name.replace(/^Revoke token /, "")));
    expect(idpButton, names.join(", ")).toBeDefined();
    expect(names.filter((name) => creationToken.startsWith(name.replace(/^Revoke token /, "")))).not.toContain(idpButton);
    await page.getByRole("button", { name: idpButton, exact: true }).click();
    await page.waitForLoadState("load");
    expect(await page.locator("#tokens").textContent()).toContain("revoked");
    await shoot(page, "tokens");
    const refused = await fetch(`${local(tenantUrl)}/Users?filter=${encodeURIComponent(`userName eq "${syncUserName(TENANT, 0)}"`)}`, {
      headers: { authorization: `Bearer ${idpToken}` },
    });
    expect(refused.status).toBe(401);
    await page.goto(`${directory}/requests?status=401`);
    await reloadUntil(page, async () => (await page.locator("main tbody tr").count()) === 1);
    expect(await page.locator("main tbody tr").textContent()).toContain("401");
    await shoot(page, "requests");
    await page.locator("main tbody tr a").first().click();
    await page.waitForLoadState("load");
    expect(await visibleText(page)).not.toContain(idpToken);
    await shoot(page, "request");

    // the refused IdP turns the directory's state to failing, in the overview and the list
    await page.goto(directory);
    expect(await page.locator("#directory-state .badge").textContent()).toBe("failing");
    expect(await page.locator("#refused-recently").textContent()).toContain("1 request(s) refused in the last hour");
    await shoot(page, "directory", true);
    await page.goto(`${origin}/console/directories`);
    expect(await visibleText(page)).toContain("Contoso Ltd");
    expect(await page.locator("#directories tbody tr", { hasText: "Contoso Ltd" }).locator(".badge").textContent()).toBe("failing");
    await shoot(page, "directories");

    // 8. sign out: the console's pages send the browser to sign-in again
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForLoadState("load");
    expect(await visibleText(page)).toContain("You are signed out.");
    await page.goto(`${directory}/users`);
    expect(new URL(page.url()).pathname).toBe("/console/sign-in");

    expect(watch.cspViolations).toEqual([]);
    expect(watch.scriptErrors).toEqual([]);
    expect(watch.dialogs).toEqual([]);
    await page.context().close();
  }, 120_000);
});
