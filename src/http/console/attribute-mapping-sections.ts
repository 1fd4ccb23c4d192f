import type { AttributeMappingView, MappingWarningView } from "../../attributes/attribute-mapping-service.js";
import { defaultPathFor } from "../../attributes/provider-defaults.js";
import type { RemapJobView } from "../../attributes/remap-job-view.js";
import type { SeenScimPaths } from "../../attributes/seen-scim-paths.js";
import { html, raw, type SafeHtml } from "../html.js";
import { type PageSession, postForm } from "./console-layout.js";
import { timeOf } from "./directory-section.js";
import { type FormRefusal, refusalNotice } from "./form-refusal.js";

// The attribute half of a directory's "Attributes & roles" tab: each declared attribute's SCIM path (a text
// field offering the paths seen in the directory's users), the table of those paths with examples and
// counts, the remap job's progress, and the mapping warnings. Everything is escaped by `html` (the
// examples are IdP data).

export const SEEN_PATHS_LIST = "seen-scim-paths";

/** A SCIM path as text that may wrap after ":" and "." (URNs are long and hold no spaces). */
export function pathText(path: string): SafeHtml {
  return html`<span class="mono">${path.split(/(?<=[:.])/).map((part, i) => html`${i ? raw("<wbr>") : ""}${part}`)}</span>`;
}

/** What the operator typed into one attribute's field when the save was refused. */
export interface AttributeFieldState {
  attribute: string;
  scimPath: string;
  refused: FormRefusal;
}

const SOURCE_LABELS = { directory: "this directory", provider_default: "provider default", none: "not mapped" } as const;

function attributeRow(
  action: (attribute: string) => string,
  session: PageSession,
  provider: string,
  m: AttributeMappingView,
  typed: AttributeFieldState | undefined,
): SafeHtml {
  const fallback = defaultPathFor(provider, m.attribute);
  const id = `path-${m.attribute}`;
  const own = m.source === "directory" ? (m.scimPath ?? "") : "";
  const value = typed?.attribute === m.attribute ? typed.scimPath : own;
  const save = postForm(
    action(m.attribute),
    session,
    html`<div class="field"><label for="${id}">SCIM path for ${m.attribute}</label><input id="${id}" name="scimPath" type="text" size="40" maxlength="512" required list="${SEEN_PATHS_LIST}" value="${value}" spellcheck="false" autocomplete="off" aria-describedby="${id}-hint">
<p class="hint" id="${id}-hint">${fallback ? html`Provider default (${provider}): ${pathText(fallback)}` : html`No ${provider} default: without a path of its own the value is always null.`}</p></div>
<button type="submit">Save path for ${m.attribute}</button>`,
    html`class="inline"`,
  );
  const clear =
    m.source === "directory"
      ? postForm(
          `${action(m.attribute)}/clear`,
          session,
          html`<button type="submit" class="danger" id="clear-${m.attribute}">Clear mapping of ${m.attribute}</button>`,
        )
      : "";
  return html`<tr id="mapping-${m.attribute}">
<td><span class="mono">${m.attribute}</span><br><span class="hint">${m.type}${m.required ? ", required" : ""}</span></td>
<td>${m.scimPath ? pathText(m.scimPath) : "—"}<br><span class="badge ${m.source === "directory" ? "ok" : "off"}">${SOURCE_LABELS[m.source]}</span></td>
<td>${save}</td>
<td>${clear}</td>
</tr>`;
}

/** The declared attributes with their paths in this directory, each editable, and the datalist of seen paths. */
export function attributeMappingTable(
  action: (attribute: string) => string,
  session: PageSession,
  provider: string,
  mappings: AttributeMappingView[],
  seen: SeenScimPaths,
  typed?: AttributeFieldState,
): SafeHtml {
  if (mappings.length === 0) {
    return html`<p id="no-attributes">The app declares no attributes yet: declare them on the <a href="/console/attributes-and-roles">Attributes and roles</a> page.</p>`;
  }
  return html`${refusalNotice("mapping-error", typed?.refused)}
<table id="attribute-mappings">
<caption class="sr-only">Declared attributes and their SCIM paths in this directory</caption>
<thead><tr><th scope="col">Attribute</th><th scope="col">Path in effect</th><th scope="col">This directory's path</th><th scope="col">Clear</th></tr></thead>
<tbody>${mappings.map((m) => attributeRow(action, session, provider, m, typed))}</tbody></table>
<datalist id="${SEEN_PATHS_LIST}">${seen.data.map(
    (p) =>
      html`<option value="${p.path}">${p.users} of ${seen.sampledUsers} users${p.examples[0] !== undefined ? html`, e.g. ${p.examples[0]}` : ""}</option>`,
  )}</datalist>
<p class="hint">The field offers the paths seen in this directory's users (listed below). Any core, enterprise or custom-extension path is accepted, value filters included (<span class="mono">emails[type eq "work"].value</span>). Clearing a mapping goes back to the provider default.</p>`;
}

/** The SCIM paths seen in the directory's users: what the datalist offers, readable without it. */
export function seenPathsTable(seen: SeenScimPaths): SafeHtml {
  if (seen.data.length === 0) return html`<p id="no-seen-paths">No users synced yet: the paths appear once the IdP has sent users.</p>`;
  const sample =
    seen.sampledUsers < seen.totalUsers ? `the newest ${seen.sampledUsers} of ${seen.totalUsers} users` : `all ${seen.totalUsers} users`;
  return html`<table id="seen-paths">
<caption>Counted over ${sample}. Examples are truncated to 100 characters.</caption>
<thead><tr><th scope="col">SCIM path</th><th scope="col" class="num">Users</th><th scope="col" class="num">Share</th><th scope="col">Examples</th></tr></thead>
<tbody>${seen.data.map(
    (p) => html`<tr><td>${pathText(p.path)}</td><td class="num">${p.users}</td><td class="num">${Math.round(p.share * 100)}%</td>
<td>${p.examples.map((e, i) => html`${i ? ", " : ""}<code>${e}</code>`)}</td></tr>`,
  )}</tbody></table>`;
}

const REMAP_BADGES = { pending: "waiting", running: "waiting", done: "ok" } as const;

/** The remap job's card; it refreshes itself (data-live) while the job is pending or running. */
export function remapCard(livePath: string, action: string, session: PageSession, job: RemapJobView | null): SafeHtml {
  const live = job && job.state !== "done" ? html` data-live="${livePath}" data-live-ms="2000"` : "";
  const facts = job
    ? html`<dl class="facts">
<dt>State</dt><dd id="remap-state"><span class="badge ${REMAP_BADGES[job.state]}">${job.state}</span></dd>
<dt>Progress</dt><dd id="remap-progress">${
        job.state === "pending"
          ? "waiting for a server process to claim it"
          : html`<progress max="${Math.max(job.total, 1)}" value="${Math.min(job.processed, Math.max(job.total, 1))}" aria-labelledby="remap-progress-text"></progress> <span id="remap-progress-text">${job.processed} of ${job.total} users processed</span>`
      }</dd>
<dt>Changed</dt><dd id="remap-changed">${job.changed} ${job.changed === 1 ? "user" : "users"} (each got a user.updated)</dd>
<dt>Requested</dt><dd>${timeOf(job.requestedAt)}</dd>
<dt>Started</dt><dd>${timeOf(job.startedAt)}</dd>
<dt>Finished</dt><dd>${timeOf(job.finishedAt)}</dd>
${job.error ? html`<dt>Last error</dt><dd id="remap-error">${job.error} (the batch is retried)</dd>` : ""}
</dl>`
    : html`<p id="remap-state">No remap has run for this directory yet.</p>`;
  return html`<section class="card" id="remap" aria-labelledby="remap-heading"${live}>
<h2 id="remap-heading">Remap</h2>
<p>A mapping or declaration change recomputes the mapped attributes of this directory's users in the background; users whose values are already right are not written.</p>
${facts}
${postForm(action, session, html`<button type="submit" id="start-remap">Remap users now</button>`)}
</section>`;
}

const WARNING_KINDS = { type_mismatch: "type mismatch", required_missing: "required value missing" } as const;

/** Values that did not convert to the declared type, and required values that were missing. */
export function mappingWarningsTable(warnings: MappingWarningView[]): SafeHtml {
  if (warnings.length === 0)
    return html`<p id="no-warnings">No mapping warnings: every value met so far converted to its declared type.</p>`;
  return html`<table id="mapping-warnings">
<caption class="sr-only">Mapping warnings</caption>
<thead><tr><th scope="col">Attribute</th><th scope="col">Warning</th><th scope="col">SCIM path</th><th scope="col">Expected</th><th scope="col">Example</th><th scope="col" class="num">Count</th><th scope="col">Last seen</th></tr></thead>
<tbody>${warnings.map(
    (w) => html`<tr><td><span class="mono">${w.attribute}</span></td><td><span class="badge bad">${WARNING_KINDS[w.kind]}</span></td>
<td>${pathText(w.scimPath)}</td><td>${w.expectedType}</td><td>${w.example === null ? "—" : html`<code>${w.example}</code>`}</td>
<td class="num">${w.count}</td><td>${timeOf(w.lastSeenAt)}</td></tr>`,
  )}</tbody></table>
<p class="hint">Such a value is null on the app-facing user; the SCIM request still succeeded. Changing the attribute's declaration or this directory's mapping of it clears its warnings.</p>`;
}
