import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

// What every browser test shares: Debian's Chromium through playwright-core, the skip-or-fail rule when it is
// missing, a listening app, a page that records CSP violations, script errors and dialogs, screenshots (UPDATE_DOCS=1
// writes them under docs/, otherwise a temp directory), and axe-core run inside the page.

// Chromium is optional for `npm test`: without it the browser files are skipped with a visible line.
// CI sets REQUIRE_BROWSER=1, which turns a missing browser into a failure.
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const haveChromium = existsSync(chromiumPath);
if (!haveChromium && process.env.REQUIRE_BROWSER === "1") {
  throw new Error(`REQUIRE_BROWSER=1 but no Chromium at ${chromiumPath}: install it or set CHROMIUM_PATH`);
}
if (!haveChromium) console.warn(`browser test skipped: set CHROMIUM_PATH (no Chromium at ${chromiumPath})`);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** Starts the app on a loopback port; returns the origin a browser reaches it at. */
export async function listenLocally(app: FastifyInstance, host = "127.0.0.1"): Promise<string> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("not listening");
  return `http://${host}:${address.port}`;
}

/** Where screenshots go: `docs/<docsDir>` with UPDATE_DOCS=1, else a fresh temp directory. */
export function screenshotDirectory(docsDir = ""): string {
  if (!process.env.UPDATE_DOCS) return mkdtempSync(join(tmpdir(), "scimbridge-"));
  const dir = join(import.meta.dirname, "../../docs", docsDir);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** What a page did that a test must see: CSP refusals, uncaught script errors, alert/confirm/prompt dialogs. */
export interface PageWatch {
  cspViolations: string[];
  scriptErrors: string[];
  dialogs: string[];
}

export function newPageWatch(): PageWatch {
  return { cspViolations: [], scriptErrors: [], dialogs: [] };
}

/** Records into `watch` what any page of the context does (new pages and popups included). */
export function watchContext(context: BrowserContext, watch: PageWatch): void {
  const attach = (page: Page) => {
    // generous: on a loaded 2-core CI box a server-rendered page can take seconds; a quiet one answers in milliseconds
    page.setDefaultTimeout(15_000);
    page.setDefaultNavigationTimeout(30_000);
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) watch.cspViolations.push(m.text());
    });
    page.on("pageerror", (err) => watch.scriptErrors.push(err.message));
    page.on("dialog", (dialog) => {
      watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
  };
  for (const page of context.pages()) attach(page);
  context.on("page", attach);
}

export async function openPage(
  browser: Browser,
  watch: PageWatch,
  options: { javaScriptEnabled?: boolean; bypassCSP?: boolean; height?: number } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: options.height ?? 800 },
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    bypassCSP: options.bypassCSP ?? false,
  });
  watchContext(context, watch);
  return context.newPage();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * axe-core's serious and critical violations on the page's current document. The page's context must bypass CSP
 * (`openPage(..., { bypassCSP: true })`): the console's nonce CSP refuses the injected script otherwise.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate("typeof window.axe === 'object'"))) await page.addScriptTag({ content: axeSource });
  const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as { violations: AxeViolation[] };
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Violations as lines a failing assertion prints: rule, impact, help, and the offending elements. */
export function describeViolations(url: string, violations: AxeViolation[]): string[] {
  return violations.map(
    (v) =>
      `${url}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes
        .slice(0, 5)
        .map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ""}`)
        .join("; ")}`,
  );
}
