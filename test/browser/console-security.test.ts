import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/event-fixtures.js";
import { adminAuth, buildTestApp, TEST_ADMIN_KEY, type TestApp } from "../helpers/test-app.js";
import { haveChromium, launchChromium, listenLocally, newPageWatch, openPage } from "./browser-harness.js";
import { type AttackerSite, signInThroughForm, startAttackerSite, visibleText } from "./console-browser.js";

// The console's defences, in a real browser: no page without a session, a new session id at every sign-in,
// cross-site forms refused, never framed, IdP data rendered as text, secrets shown once.

const COOKIE = "scimbridge_console";

const HOSTILE = {
  directoryName: `<b>Evil & Co</b> "quoted" 'single'`,
  userName: `<script>alert("userName")</script>@evil.example`,
  displayName: `"><img src=x onerror=alert("displayName")>`,
  profileUrl: "javascript:alert(document.domain)",
  groupName: `<svg onload=alert("group")></svg> javascript:alert("group")`,
  secondGroupName: `</textarea></title><script>alert("close-tags")</script>`,
};

/** What escaping failures would leave in the DOM (an expression evaluated in the page). */
const INJECTED_MARKUP = `({
  handlers: [...document.querySelectorAll("*")].flatMap((el) =>
    [...el.attributes].filter((a) => a.name.startsWith("on")).map((a) => el.tagName + " " + a.name)),
  scripts: [...document.querySelectorAll("script")].filter((s) => !s.nonce).length,
  images: document.querySelectorAll("img[src=x]").length,
  svgs: document.querySelectorAll("svg[onload]").length,
  javascriptLinks: [...document.querySelectorAll("a[href], form[action], iframe[src]")]
    .map((el) => el.getAttribute("href") ?? el.getAttribute("action") ?? el.getAttribute("src") ?? "")
    .filter((href) => /^\\s*javascript:/i.test(href)),
})`;

interface Seeded {
  directoryId: string;
  userId: string;
  groupId: string;
  requestId: string;
  secretToken: string;
}

describe.skipIf(!haveChromium)("console security in a browser", { timeout: 90_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let origin: string;
  let sameSite: AttackerSite;
  let crossSite: AttackerSite;
  let seeded: Seeded;
  const watch = newPageWatch();

  async function scim(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${origin}/scim/v2/${seeded.directoryId}${path}`, {
      method,
      headers: { authorization: `Bearer ${seeded.secretToken}`, "content-type": "application/scim+json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  }

  /** A directory whose IdP sent hostile names: a user, and groups holding it, over real SCIM requests. */
  async function seedHostileDirectory(): Promise<Seeded> {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/directories",
      headers: adminAuth,
      payload: { name: HOSTILE.directoryName },
    });
    const created = res.json() as { id: string; scim: { secretToken: string } };
    seeded = { directoryId: created.id, secretToken: created.scim.secretToken, userId: "", groupId: "", requestId: "" };
    const user = await scim("POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: HOSTILE.userName,
      displayName: HOSTILE.displayName,
      profileUrl: HOSTILE.profileUrl,
      name: { formatted: HOSTILE.displayName, givenName: HOSTILE.displayName, familyName: HOSTILE.userName },
      emails: [{ value: "victim@evil.example", type: "work", primary: true }],
      active: true,
    });
    const userId = user.id as string;
    const group = await scim("POST", "/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: HOSTILE.groupName,
      members: [{ value: userId }],
    });
    await scim("POST", "/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: HOSTILE.secondGroupName,
      members: [{ value: userId }],
    });
    // a role rule matching the hostile group by name: the directory's mapping page shows the rule
    for (const [method, url, payload] of [
      ["PUT", "/api/v1/roles/editor", {}],
      [
        "PUT",
        `/api/v1/directories/${created.id}/role-mapping`,
        { defaultRole: null, rules: [{ match: { displayName: HOSTILE.groupName }, role: "editor", priority: 1 }] },
      ],
    ] as const) {
      const put = await t.app.inject({ method, url, headers: adminAuth, payload });
      expect(put.statusCode, put.body).toBeLessThan(300);
    }
    // the request log is written in batches: wait for the group's POST to land
    let requestId: string | undefined;
    await waitFor(
      async () => {
        const log = await t.app.inject({
          method: "GET",
          url: `/api/v1/directories/${created.id}/scim-requests?limit=1`,
          headers: adminAuth,
        });
        requestId = (log.json() as { data: { id: string }[] }).data[0]?.id;
        return requestId !== undefined;
      },
      10_000,
      "the request log",
    );
    return { ...seeded, userId, groupId: group.id as string, requestId: requestId! };
  }

  /** Every console page of the seeded directory, as a browser would open it. */
  function consolePages(s: Seeded): string[] {
    const d = `/console/directories/${s.directoryId}`;
    return [
      "/console/directories",
      "/console/attributes-and-roles",
      d,
      `${d}/tokens`,
      `${d}/setup-links`,
      `${d}/webhook`,
      `${d}/users`,
      `${d}/users/${s.userId}`,
      `${d}/groups`,
      `${d}/groups/${s.groupId}`,
      `${d}/requests`,
      `${d}/requests/${s.requestId}`,
      `${d}/events`,
      `${d}/deliveries`,
      `${d}/mapping`,
    ];
  }

  beforeAll(async () => {
    t = await buildTestApp();
    origin = await listenLocally(t.app);
    [browser, sameSite, crossSite] = await Promise.all([launchChromium(), startAttackerSite("127.0.0.1"), startAttackerSite("localhost")]);
    seeded = await seedHostileDirectory();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([sameSite?.close(), crossSite?.close()]);
    await t?.close();
  });

  async function signedInPage(options: { bypassCSP?: boolean } = {}): Promise<Page> {
    const page = await openPage(browser, watch, options);
    await signInThroughForm(page, origin);
    return page;
  }

  const sessionCookie = async (context: BrowserContext) => (await context.cookies()).find((c) => c.name === COOKIE);

  async function directoryCount(): Promise<number> {
    return t.app.db.prisma.directory.count();
  }

  it("sends every page to sign-in without a session, and back to the page after signing in", async () => {
    const page = await openPage(browser, watch);
    for (const path of consolePages(seeded)) {
      const res = await page.goto(`${origin}${path}`);
      expect(res?.status(), path).toBe(200);
      expect(new URL(page.url()).pathname, path).toBe("/console/sign-in");
      expect(new URL(page.url()).searchParams.get("next"), path).toBe(path === "/console" ? null : path);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Sign in");
      expect(await visibleText(page)).not.toContain(HOSTILE.userName);
    }
    const userPage = consolePages(seeded)[6]!;
    await signInThroughForm(page, origin, userPage);
    expect(new URL(page.url()).pathname).toBe(userPage);
    await page.context().close();
  });

  it("replaces a session cookie planted before sign-in (fixation), and ends the planted session", async () => {
    // the attacker's own valid session, planted in the victim's browser
    const attacker = await signedInPage();
    const planted = (await sessionCookie(attacker.context()))!;
    expect(planted.httpOnly).toBe(true);
    expect(planted.sameSite).toBe("Strict");
    expect(planted.path).toBe("/console");

    // the victim opens the sign-in form, the attacker's cookie arrives (a sibling subdomain, an injected header)
    const victim = await openPage(browser, watch);
    await victim.goto(`${origin}/console/sign-in`);
    await victim.context().addCookies([{ ...planted }]);
    await victim.getByLabel("Admin API key").fill(TEST_ADMIN_KEY);
    await Promise.all([victim.waitForURL(`${origin}/console/directories`), victim.getByRole("button", { name: "Sign in" }).click()]);
    const issued = (await sessionCookie(victim.context()))!;
    expect(issued.value).not.toBe(planted.value);
    expect(issued.value).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // the planted id is no session any more: the attacker's browser is sent to sign in
    await attacker.goto(`${origin}/console/directories`);
    expect(new URL(attacker.url()).pathname).toBe("/console/sign-in");
    // a made-up id is no better
    const forged = await openPage(browser, watch);
    await forged.context().addCookies([{ ...planted, value: "A".repeat(43) }]);
    await forged.goto(`${origin}/console/directories`);
    expect(new URL(forged.url()).pathname).toBe("/console/sign-in");
    await Promise.all([attacker.context().close(), victim.context().close(), forged.context().close()]);
  });

  it("refuses a form another site posts to the console: 403 from a sibling origin, no session from another site", async () => {
    const page = await signedInPage();
    const before = await directoryCount();
    const tokenRows = await t.app.db.prisma.directoryToken.count();

    // same site (127.0.0.1, another port): the SameSite=Strict cookie goes along, so the console must refuse it itself
    for (const [site, status] of [
      [sameSite, 403],
      [crossSite, 401],
    ] as const) {
      for (const [action, fields] of [
        [`${origin}/console/directories`, { name: "Planted by an attacker", _csrf: "guessed" }],
        [`${origin}/console/directories/${seeded.directoryId}/tokens`, { _csrf: "guessed" }],
        [`${origin}/console/sign-out`, {}],
      ] as const) {
        const answered = page.waitForResponse((r) => r.url() === action && r.request().method() === "POST");
        await page.goto(site.autoPostUrl(action, fields));
        const res = await answered;
        expect(res.status(), `${site.origin} → ${action}`).toBe(status);
        await page.waitForURL(action);
        expect(await visibleText(page)).toMatch(status === 403 ? /sent from another site, so it was refused/ : /session has ended/);
      }
    }
    expect(await directoryCount()).toBe(before);
    expect(await t.app.db.prisma.directoryToken.count()).toBe(tokenRows);
    // and the operator is still signed in (the sign-out was refused too)
    await page.goto(`${origin}/console/directories`);
    expect(new URL(page.url()).pathname).toBe("/console/directories");
    await page.context().close();
  });

  it("cannot be framed by another site (frame-ancestors 'none')", async () => {
    const page = await signedInPage();
    const framing = newPageWatch();
    const attacker = await openPage(browser, framing);
    await attacker.context().addCookies(await page.context().cookies());
    for (const site of [sameSite, crossSite]) {
      const target = `${origin}/console/directories`;
      const framed = attacker.waitForResponse((r) => r.url() === target);
      await attacker.goto(site.frameUrl(target));
      const res = await framed;
      expect(res.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
      await expect.poll(() => framing.cspViolations.some((m) => m.includes("frame-ancestors"))).toBe(true);
      const frame = attacker.frames().find((f) => f !== attacker.mainFrame())!;
      expect(frame.url()).not.toBe(target);
      expect(await frame.evaluate("document.body ? document.body.innerText : ''").catch(() => "")).not.toContain("Directories");
      framing.cspViolations.length = 0;
    }
    await Promise.all([page.context().close(), attacker.context().close()]);
  });

  it("renders hostile names from the IdP as text on every page, running no script (even with CSP off)", async () => {
    // CSP would block an injected inline script; bypass it so that only escaping stands between the name and a script
    const xss = newPageWatch();
    const page = await openPage(browser, xss, { bypassCSP: true });
    await signInThroughForm(page, origin);
    const shown: Record<string, string[]> = {};
    for (const path of consolePages(seeded)) {
      const res = await page.goto(`${origin}${path}`);
      expect(res?.status(), path).toBe(200);
      const text = await visibleText(page);
      shown[path] = Object.entries(HOSTILE)
        .filter(([, value]) => text.includes(value))
        .map(([key]) => key);
      const injected = await page.evaluate(INJECTED_MARKUP);
      expect(injected, path).toEqual({ handlers: [], scripts: 0, images: 0, svgs: 0, javascriptLinks: [] });
    }
    expect(xss.dialogs).toEqual([]);
    expect(xss.scriptErrors).toEqual([]);
    // each hostile value shows up, as text, where an operator would look for it
    const d = `/console/directories/${seeded.directoryId}`;
    expect(shown["/console/directories"]).toContain("directoryName");
    expect(shown[`${d}/users`]).toEqual(expect.arrayContaining(["userName", "displayName"]));
    expect(shown[`${d}/users/${seeded.userId}`]).toEqual(expect.arrayContaining(["userName", "displayName", "profileUrl", "groupName"]));
    expect(shown[`${d}/groups`]).toEqual(expect.arrayContaining(["groupName", "secondGroupName"]));
    expect(shown[`${d}/groups/${seeded.groupId}`]).toEqual(expect.arrayContaining(["groupName", "userName"]));
    // the seen SCIM paths' example values as text; the role rule naming the group as the exact value of its field
    expect(shown[`${d}/mapping`]).toEqual(expect.arrayContaining(["userName", "displayName"]));
    await page.goto(`${origin}${d}/mapping`);
    expect(await page.getByLabel("Rule 1 group", { exact: true }).inputValue()).toBe(HOSTILE.groupName);
    await page.context().close();
  });

  it("shows each secret once (Secret Token, webhook secret, setup link): on no other page, nor going back", async () => {
    const page = await signedInPage();
    await page.goto(`${origin}/console/directories/new`);
    await page.getByLabel("Name", { exact: true }).fill("Once Only Ltd");
    await page.getByLabel("Webhook URL (optional)").fill("http://127.0.0.1:9/hooks/once");
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Create directory" }).click()]);
    const secretToken = await page.getByLabel("Secret Token", { exact: true }).inputValue();
    const webhookSecret = await page.getByLabel("Webhook secret", { exact: true }).inputValue();
    const tenantUrl = await page.getByLabel("Tenant URL", { exact: true }).inputValue();
    expect(secretToken).toMatch(/^scim_/);
    expect(webhookSecret).toMatch(/^whsec_/);
    const directoryId = tenantUrl.split("/").pop()!;
    const d = `${origin}/console/directories/${directoryId}`;

    await page.goto(`${d}/setup-links`);
    await page.getByRole("button", { name: "Create setup link" }).click();
    await page.waitForLoadState("load");
    const setupUrl = await page.getByLabel("Setup link", { exact: true }).inputValue();
    const setupSecret = setupUrl.split("/").pop()!;
    expect(setupSecret.length).toBeGreaterThan(20);

    // the IdP uses the token, so the request log holds a request that carried it
    const res = await fetch(`${origin}/scim/v2/${directoryId}/Users?count=1`, { headers: { authorization: `Bearer ${secretToken}` } });
    expect(res.status).toBe(200);
    let requestId: string | undefined;
    await waitFor(
      async () => {
        const log = await t.app.inject({
          method: "GET",
          url: `/api/v1/directories/${directoryId}/scim-requests?limit=1`,
          headers: adminAuth,
        });
        requestId = (log.json() as { data: { id: string }[] }).data[0]?.id;
        return requestId !== undefined;
      },
      10_000,
      "the request log",
    );

    // a secret, or a long enough piece of it to be useful, on any page after the one that showed it
    const leaks = (content: string) =>
      [secretToken, webhookSecret, setupSecret].filter((secret) => content.includes(secret) || content.includes(secret.slice(8, 28)));
    const pages = [
      ...consolePages({ ...seeded, directoryId }).filter(
        (p) => !p.includes("/users/") && !p.includes("/groups/") && !p.includes("/requests/"),
      ),
      `/console/directories/${directoryId}/requests/${requestId}`,
    ];
    for (const path of pages) {
      await page.goto(`${origin}${path}`);
      expect(leaks(await page.content()), path).toEqual([]);
    }
    // the answers that showed them were no-store: going back does not show them again
    await page.goto(`${d}/setup-links`);
    await page.goBack();
    expect(leaks(await page.content())).toEqual([]);
    expect(watch.cspViolations).toEqual([]);
    expect(watch.scriptErrors).toEqual([]);
    await page.context().close();
  });
});
