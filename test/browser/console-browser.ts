import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { startBackgroundJobs } from "../../src/startup/background-jobs.js";
import { buildTestApp, TEST_ADMIN_KEY, type TestApp } from "../helpers/test-app.js";
import { launchChromium, listenLocally } from "./browser-harness.js";
import { type SwitchableReceiver, startSwitchableReceiver } from "./webhook-switch.js";

// What the console's browser tests share: signing in through the real form, and a second site on loopback
// that serves the pages an attacker would (a form that auto-posts to the console, a frame around it).

/** Signs in through the form; `next` is the page the console should land on afterwards. */
export async function signInThroughForm(page: Page, origin: string, next?: string, key = TEST_ADMIN_KEY): Promise<void> {
  await page.goto(`${origin}/console/sign-in${next ? `?next=${encodeURIComponent(next)}` : ""}`);
  await page.getByLabel("Admin API key").fill(key);
  await Promise.all([page.waitForURL((url) => url.pathname !== "/console/sign-in"), page.getByRole("button", { name: "Sign in" }).click()]);
}

/** The text of the page body, for "this text appears / never appears" assertions. */
export const visibleText = async (page: Page): Promise<string> => (await page.locator("body").textContent()) ?? "";

export interface AttackerSite {
  /** http://<host>:<port> */
  origin: string;
  /** A page whose form posts `fields` to `action` as soon as it loads. */
  autoPostUrl(action: string, fields: Record<string, string>): string;
  /** A page that frames `target`. */
  frameUrl(target: string): string;
  close(): Promise<void>;
}

const attr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** Another site on loopback (`host` picks the name: 127.0.0.1 is same-site with the console, localhost is not). */
export async function startAttackerSite(host: string): Promise<AttackerSite> {
  const pages = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const body = pages.get(req.url ?? "");
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  const publish = (body: string) => {
    const path = `/p${pages.size}`;
    pages.set(path, body);
    return `${origin}${path}`;
  };
  return {
    origin,
    autoPostUrl: (action, fields) =>
      publish(
        `<!doctype html><title>Win a prize</title><form id="f" method="post" action="${attr(action)}">${Object.entries(fields)
          .map(([name, value]) => `<input type="hidden" name="${attr(name)}" value="${attr(value)}">`)
          .join("")}</form><script>document.getElementById("f").submit()</script>`,
      ),
    frameUrl: (target) =>
      publish(`<!doctype html><title>Click here</title><iframe src="${attr(target)}" width="800" height="600"></iframe>`),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface ConsoleWithWorker {
  t: TestApp;
  origin: string;
  browser: Browser;
  receiver: SwitchableReceiver;
  close(): Promise<void>;
}

/** The app on loopback with the webhook worker beside it (as src/server.ts runs it), a webhook receiver, and Chromium. */
export async function startConsoleWithWorker(env: Record<string, string> = {}): Promise<ConsoleWithWorker> {
  const receiver = await startSwitchableReceiver();
  const t = await buildTestApp({ WEBHOOK_WORKER: "true", WEBHOOK_POLL_MS: "50", ...env });
  const origin = await listenLocally(t.app);
  const jobs = startBackgroundJobs(t.app);
  const browser = await launchChromium();
  return {
    t,
    origin,
    browser,
    receiver,
    async close() {
      await browser.close();
      await jobs.stop();
      await t.close();
      await receiver.close();
    },
  };
}
