import { copyField, html, pageHead, raw, type SafeHtml } from "../html.js";
import { SETUP_PAGE_CSS, SETUP_PAGE_SCRIPT } from "./setup-page-assets.js";
import { entraSteps, genericSteps, oktaSteps } from "./setup-instructions.js";
import { formatTime, type StatusDisplay } from "./status-view.js";

// The IT admin's setup page, rendered on the server: it works without JavaScript except for the copy
// buttons, tab switching and live status updates.

export interface Nonces {
  script: string;
  style: string;
}

export type SecretTokenSlot =
  | { kind: "hidden" }
  | { kind: "revealed"; secretToken: string; expiresAt: Date | null }
  | { kind: "limit"; message: string };

export interface SetupPageView {
  directoryName: string;
  directoryDisabled: boolean;
  tenantUrl: string;
  linkExpiresAt: Date;
  /** Relative URLs (the page may be served at /setup/<t> or /setup/<t>/secret-token). */
  revealAction: string;
  statusUrl: string;
  secretToken: SecretTokenSlot;
  status: StatusDisplay;
}

function layout(title: string, nonces: Nonces, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
${pageHead(title, nonces.style, SETUP_PAGE_CSS)}
<body>
${body}
<script nonce="${nonces.script}">${raw(SETUP_PAGE_SCRIPT)}</script>
</body>
</html>
`.value;
}

function secretTokenField(view: SetupPageView): SafeHtml {
  const slot = view.secretToken;
  if (slot.kind === "revealed") {
    return html`<div class="notice ok" role="status">A new Secret Token was created. Copy it now: it is shown only once.</div>
${copyField(
  "secret-token",
  "Secret Token",
  slot.secretToken,
  slot.expiresAt ? `Valid until ${formatTime(slot.expiresAt)}.` : "Does not expire; it can be revoked by the team that sent this link.",
)}`;
  }
  return html`<div class="field">
  <span class="label" id="secret-token-label">Secret Token</span>
  ${slot.kind === "limit" ? html`<div class="notice bad" role="alert">${slot.message}</div>` : ""}
  <form method="post" action="${view.revealAction}">
    <button type="submit" class="primary" aria-describedby="secret-token-label secret-token-hint">Reveal token</button>
  </form>
  <p class="hint" id="secret-token-hint">Creates a new token for this connection and shows it once. Tokens created earlier keep working.</p>
</div>`;
}

function statusPanel(view: SetupPageView): SafeHtml {
  const s = view.status;
  return html`<section class="card" id="status" aria-labelledby="status-heading" data-state="${s.state}" data-status-url="${view.statusUrl}">
  <h2 id="status-heading">Live status <span class="badge" data-field="state">${s.state}</span></h2>
  <p class="headline" data-field="headline" aria-live="polite">${s.headline}</p>
  <dl class="facts">
    <dt>Last request</dt><dd data-field="lastRequest">${s.lastRequest}</dd>
    <dt>Test Connection</dt><dd data-field="testConnection" aria-live="polite">${s.testConnection}</dd>
    <dt>Users synced</dt><dd data-field="users">${s.users}</dd>
    <dt>Groups synced</dt><dd data-field="groups">${s.groups}</dd>
  </dl>
  <p class="hint" data-field="unauthenticated">${s.unauthenticated}</p>
  <h3>Recent errors</h3>
  <p class="hint" data-no-errors ${s.errors.length > 0 ? raw("hidden") : ""}>None.</p>
  <ul class="errors" data-errors>
    ${s.errors.map((e) => html`<li><strong>${e.title}</strong><p>${e.detail}</p></li>`)}
  </ul>
  <p class="hint" data-updated>Reload the page to refresh; with JavaScript on it refreshes every few seconds.</p>
</section>`;
}

export function renderSetupPage(view: SetupPageView, nonces: Nonces): string {
  const title = `Connect ${view.directoryName}`;
  const body = html`<a class="skip" href="#main">Skip to the instructions</a>
<header class="top" role="banner">
  <div class="wrap">
    <div class="brand">scimbridge · user provisioning setup</div>
    <h1>Connect ${view.directoryName} to your identity provider</h1>
    <p>Follow the steps for your identity provider; this page shows live whether provisioning works.
    This link is valid until ${formatTime(view.linkExpiresAt)}.</p>
  </div>
</header>
<div class="wrap layout">
  <main id="main" role="main">
    ${view.directoryDisabled ? html`<div class="notice warn" role="alert">This connection is currently disabled: requests from your identity provider are refused until it is enabled again.</div>` : ""}
    <nav aria-label="Identity provider">
      <ul class="tabs" data-tabs>
        <li><a href="#entra">Microsoft Entra ID</a></li>
        <li><a href="#okta">Okta</a></li>
        <li><a href="#generic">Other SCIM client</a></li>
      </ul>
    </nav>
    <div class="card guide">
      <section id="entra" aria-labelledby="entra-heading"><h2 id="entra-heading">Microsoft Entra ID (Azure AD)</h2>${entraSteps(view.directoryName)}</section>
      <section id="okta" aria-labelledby="okta-heading"><h2 id="okta-heading">Okta</h2>${oktaSteps()}</section>
      <section id="generic" aria-labelledby="generic-heading"><h2 id="generic-heading">Other SCIM 2.0 clients</h2>${genericSteps(view.tenantUrl)}</section>
    </div>
  </main>
  <aside class="side" aria-label="Connection details and status">
    <section class="card" aria-labelledby="credentials-heading">
      <h2 id="credentials-heading">Admin Credentials</h2>
      ${copyField("tenant-url", "Tenant URL", view.tenantUrl)}
      ${secretTokenField(view)}
    </section>
    ${statusPanel(view)}
  </aside>
</div>
<footer class="wrap" role="contentinfo">Keep this link private: anyone with it can create tokens for this connection.</footer>`;
  return layout(title, nonces, body);
}

/** A page that only says what happened and what to do (expired, revoked or unknown links). */
export function renderMessagePage(title: string, message: string, nonces: Nonces): string {
  return layout(
    title,
    nonces,
    html`<header class="top" role="banner"><div class="wrap"><div class="brand">scimbridge · user provisioning setup</div><h1>${title}</h1></div></header>
<main id="main" role="main" class="wrap layout single"><div class="card"><p>${message}</p></div></main>`,
  );
}
