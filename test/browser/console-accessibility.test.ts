import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncedDirectory } from "../helpers/console-directory.js";
import { waitFor } from "../helpers/event-fixtures.js";
import { adminAuth, type TestApp } from "../helpers/test-app.js";
import { describeViolations, haveChromium, newPageWatch, openPage, screenshotDirectory, seriousAxeViolations } from "./browser-harness.js";
import { type ConsoleWithWorker, signInThroughForm, startConsoleWithWorker } from "./console-browser.js";
import type { SwitchableReceiver } from "./webhook-switch.js";

// axe-core (from npm, run inside Chromium) on every console page, including the answers that show a secret once,
// the error pages and the signed-out page: no violation of impact serious or critical. The context bypasses CSP
// only so that axe's script can be injected; the journey and security tests run with the CSP on.
// The attribute and role pages (not part of the journey) are screenshotted here: UPDATE_DOCS=1 writes them to
// docs/console/, else a temp directory.

const shots = screenshotDirectory("console");

describe.skipIf(!haveChromium)("console accessibility (axe-core)", { timeout: 120_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let origin: string;
  let receiver: SwitchableReceiver;
  let running: ConsoleWithWorker;
  const watch = newPageWatch();

  beforeAll(async () => {
    running = await startConsoleWithWorker();
    ({ t, origin, browser, receiver } = running);
    receiver.answerOk();
  });
  afterAll(async () => running?.close());

  it("finds no serious or critical violation on any page", async () => {
    // a directory with users, a group, logged requests, events and delivered webhooks
    const d = await syncedDirectory(t, "Contoso Ltd");
    const patched = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/directories/${d.directoryId}`,
      headers: adminAuth,
      payload: { webhook: { url: receiver.url } },
    });
    expect(patched.statusCode).toBe(200);
    // declared attributes and roles, a mapping of the directory's groups to them (the admin API), before the users sync
    const admin = async (method: "PUT" | "POST", url: string, payload: object) => {
      const res = await t.app.inject({ method, url: `/api/v1${url}`, headers: adminAuth, payload });
      expect(res.statusCode, res.body).toBeLessThan(300);
    };
    await admin("PUT", "/attributes/employeeNumber", { type: "number", required: true });
    await admin("PUT", "/attributes/department", { type: "string" });
    await admin("PUT", "/attributes/costCenter", { type: "string" });
    await admin("PUT", "/roles/admin", { description: "Full access" });
    await admin("PUT", "/roles/member", { description: "Everyone else" });
    await admin("PUT", `/directories/${d.directoryId}/role-mapping`, {
      defaultRole: "member",
      rules: [{ match: { displayName: "Sales" }, role: "admin", priority: 10 }],
    });
    const enterprise = (employeeNumber: string, department: string) => ({
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { employeeNumber, department, costCenter: "CC-4200" },
    });
    const userIds = [];
    for (const [name, number, department] of [
      ["adele.vance", "1024", "Retail"],
      ["alex.wilber", "1025", "Marketing"],
      ["megan.bowen", "E-1026", "Marketing"],
    ] as const) {
      userIds.push(await d.createUser(`${name}@contoso.example`, enterprise(number, department)));
    }
    const groupId = await d.createGroup("Sales", userIds);
    // the users synced after the declarations' remap: recompute them now (the mapping page shows its progress)
    await admin("POST", `/directories/${d.directoryId}/attribute-remap`, {});
    expect((await d.scim("GET", "/Users?filter=userName%20eq%20%22nobody%22")).status).toBe(200);
    let requestId = "";
    let deliveryId = "";
    await waitFor(
      async () => {
        const log = await t.app.inject({
          method: "GET",
          url: `/api/v1/directories/${d.directoryId}/scim-requests?limit=1`,
          headers: adminAuth,
        });
        const deliveries = await t.app.inject({
          method: "GET",
          url: `/api/v1/directories/${d.directoryId}/webhook-deliveries?limit=1`,
          headers: adminAuth,
        });
        requestId = (log.json() as { data: { id: string }[] }).data[0]?.id ?? "";
        deliveryId = (deliveries.json() as { data: { id: string }[] }).data[0]?.id ?? "";
        return requestId !== "" && deliveryId !== "";
      },
      15_000,
      "a logged request and a delivery",
    );

    const page = await openPage(browser, watch, { bypassCSP: true });
    const failures: string[] = [];
    const checked: string[] = [];
    const check = async (label: string) => {
      checked.push(label);
      failures.push(...describeViolations(label, await seriousAxeViolations(page)));
    };
    const visit = async (path: string, status = 200) => {
      const res = await page.goto(`${origin}${path}`);
      expect(res?.status(), path).toBe(status);
      await check(path);
    };
    const submit = async (label: string, button: string) => {
      await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: button, exact: true }).click()]);
      await check(label);
    };

    await visit("/console/sign-in");
    await page.getByLabel("Admin API key").fill("not-the-admin-key");
    await submit("sign-in refused", "Sign in");
    await signInThroughForm(page, origin);

    const dir = `/console/directories/${d.directoryId}`;
    for (const path of [
      "/console/directories",
      "/console/directories?q=nothing-matches",
      "/console/directories/new",
      dir,
      `${dir}/tokens`,
      `${dir}/setup-links`,
      `${dir}/webhook`,
      `${dir}/users`,
      `${dir}/users/${userIds[0]}`,
      `${dir}/groups`,
      `${dir}/groups/${groupId}`,
      `${dir}/requests`,
      `${dir}/requests/${requestId}`,
      `${dir}/events`,
      `${dir}/deliveries`,
      `${dir}/deliveries/${deliveryId}`,
      `${dir}/mapping`,
      `${dir}/mapping/remap`,
      "/console/attributes-and-roles",
      "/console/attributes-and-roles/attributes/costCenter/delete",
    ])
      await visit(path);

    // the attribute and role pages for docs/console.md, once the mapping's remap has run
    await page.goto(`${origin}/console/attributes-and-roles`);
    await page.screenshot({ path: join(shots, "attributes-and-roles.png"), fullPage: true });
    await waitFor(
      async () =>
        (await t.app.inject({ method: "GET", url: `/api/v1${dir.slice("/console".length)}/attribute-remap`, headers: adminAuth })).json()
          .state === "done",
      15_000,
      "the remap",
    );
    await page.goto(`${origin}${dir}/mapping`);
    await page.screenshot({ path: join(shots, "directory-mapping.png"), fullPage: true });

    // forms refused beside themselves (400), with what was typed kept
    await page.getByLabel("SCIM path for costCenter").fill("phoneNumber.value");
    await submit("mapping refused", "Save path for costCenter");
    expect(await page.locator("#mapping-error").textContent()).toContain("is not an attribute of User");
    await page.goto(`${origin}/console/attributes-and-roles`);
    await page.getByLabel("Role name").fill("-bad");
    await submit("role refused", "Save role");
    expect(await page.locator("#role-error").textContent()).toContain("Role name: must match pattern");
    await visit(`${dir}/users?filter=${encodeURIComponent("userName eq")}`, 400);
    await visit("/console/directories/00000000-0000-4000-8000-000000000000", 404);

    // the answers that show a secret once
    await page.goto(`${origin}/console/directories/new`);
    await page.getByLabel("Name", { exact: true }).fill("Fabrikam");
    await submit("directory created", "Create directory");
    await page.goto(`${origin}${dir}/tokens`);
    await submit("token issued", "Issue new token");
    await page.goto(`${origin}${dir}/setup-links`);
    await submit("setup link created", "Create setup link");
    await page.goto(`${origin}${dir}/webhook`);
    await submit("webhook secret rotated", "Rotate secret");
    await submit("signed out", "Sign out");

    console.info(`axe-core checked ${checked.length} console pages: ${failures.length} serious or critical violations`);
    expect(failures).toEqual([]);
    expect(checked.length).toBe(31);
    await page.context().close();
  });
});
