import type { ActivityHour, SyncActivity } from "../../directories/directory-activity.js";
import { html, type SafeHtml } from "../html.js";

// The overview's sync-activity chart, drawn on the server: pure data → SVG markup, no script. Two panels
// over the same hours: authenticated SCIM requests per hour stacked by outcome (2xx, 4xx, 5xx), and users
// and groups at the end of each hour. Hours the logs no longer cover are shaded and labelled "pruned".
// Each SVG has role="img" and a title; the numbers are in a table inside <details> for screen readers.

const W = 720;
const H = 170;
const PAD = { left: 44, right: 10, top: 12, bottom: 26 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;

export const CHART_COLORS = { ok: "#2e7d32", clientErrors: "#b25e00", serverErrors: "#c62828", users: "#0a58a8", groups: "#7b3fa0" };

const n = (v: number) => Math.round(v * 10) / 10;

/** A round upper bound for the axis (1, 2, 5 × 10^k). */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const base = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 5, 10].find((m) => m * base >= max) ?? 10) * base;
}

const day = (d: Date) => d.toISOString().slice(5, 10);
const hourLabel = (d: Date) => `${d.toISOString().slice(0, 13).replace("T", " ")}:00Z`;

function frame(hours: ActivityHour[], max: number, unknown: (h: ActivityHour) => boolean): SafeHtml {
  const step = PLOT_W / hours.length;
  const shaded: SafeHtml[] = [];
  hours.forEach((h, i) => {
    if (unknown(h))
      shaded.push(html`<rect x="${n(PAD.left + i * step)}" y="${PAD.top}" width="${n(step)}" height="${PLOT_H}" fill="#e6e9ed"/>`);
  });
  const firstUnknown = hours.findIndex(unknown);
  const ticks = hours.flatMap((h, i) =>
    h.hour.getUTCHours() === 0
      ? [
          html`<line x1="${n(PAD.left + i * step)}" x2="${n(PAD.left + i * step)}" y1="${PAD.top}" y2="${PAD.top + PLOT_H}" stroke="#d4d9df"/>
<text x="${n(PAD.left + i * step)}" y="${H - 8}" font-size="11" fill="#4d5661" text-anchor="middle">${day(h.hour)}</text>`,
        ]
      : [],
  );
  return html`${shaded}${
    firstUnknown >= 0
      ? html`<text x="${n(PAD.left + firstUnknown * step + 4)}" y="${PAD.top + 14}" font-size="11" fill="#3d4650">pruned</text>`
      : ""
  }${ticks}
<line x1="${PAD.left}" x2="${PAD.left + PLOT_W}" y1="${PAD.top + PLOT_H}" y2="${PAD.top + PLOT_H}" stroke="#8c959f"/>
<text x="${PAD.left - 6}" y="${PAD.top + 4}" font-size="11" fill="#4d5661" text-anchor="end">${max}</text>
<text x="${PAD.left - 6}" y="${PAD.top + PLOT_H}" font-size="11" fill="#4d5661" text-anchor="end">0</text>`;
}

function requestsSvg(hours: ActivityHour[], id: string): SafeHtml {
  const max = niceMax(
    Math.max(0, ...hours.map((h) => (h.requests ? h.requests.ok + h.requests.clientErrors + h.requests.serverErrors : 0))),
  );
  const step = PLOT_W / hours.length;
  const y = (v: number) => (v / max) * PLOT_H;
  const bars = hours.flatMap((h, i) => {
    if (!h.requests) return [];
    let base = PAD.top + PLOT_H;
    return (["ok", "clientErrors", "serverErrors"] as const).flatMap((k) => {
      const v = h.requests![k];
      if (!v) return [];
      base -= y(v);
      return [
        html`<rect x="${n(PAD.left + i * step)}" y="${n(base)}" width="${n(Math.max(step - 0.6, 0.6))}" height="${n(y(v))}" fill="${CHART_COLORS[k]}"/>`,
      ];
    });
  });
  return html`<svg class="chart" id="${id}" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}-title" xmlns="http://www.w3.org/2000/svg">
<title id="${id}-title">Authenticated SCIM requests per hour over the last 7 days, by outcome: 2xx green, 4xx amber, 5xx red</title>
${frame(hours, max, (h) => h.requests === null)}${bars}
</svg>`;
}

function countsSvg(hours: ActivityHour[], id: string): SafeHtml {
  const max = niceMax(Math.max(0, ...hours.map((h) => (h.counts ? Math.max(h.counts.users, h.counts.groups) : 0))));
  const step = PLOT_W / hours.length;
  const line = (k: "users" | "groups") => {
    const points = hours.flatMap((h, i) =>
      h.counts ? [`${n(PAD.left + (i + 1) * step)},${n(PAD.top + PLOT_H - (h.counts[k] / max) * PLOT_H)}`] : [],
    );
    return points.length
      ? html`<polyline points="${points.join(" ")}" fill="none" stroke="${CHART_COLORS[k]}" stroke-width="2" stroke-linejoin="round"/>`
      : "";
  };
  return html`<svg class="chart" id="${id}" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}-title" xmlns="http://www.w3.org/2000/svg">
<title id="${id}-title">Users (blue) and groups (purple) at the end of each hour over the last 7 days</title>
${frame(hours, max, (h) => h.counts === null)}${line("users")}${line("groups")}
</svg>`;
}

/** The chart section: both panels, their legends, what was pruned, and the numbers of every hour with activity. */
export function syncActivityChart(activity: SyncActivity, id = "sync-activity"): SafeHtml {
  const { hours } = activity;
  const total = (k: "ok" | "clientErrors" | "serverErrors") => hours.reduce((sum, h) => sum + (h.requests?.[k] ?? 0), 0);
  // rows: every hour with requests or a count change (a quiet week would be 168 identical rows)
  const rows = hours.filter((h, i) => {
    const r = h.requests;
    const before = hours[i - 1]?.counts;
    const changed = h.counts && before && (h.counts.users !== before.users || h.counts.groups !== before.groups);
    return (r && r.ok + r.clientErrors + r.serverErrors > 0) || changed;
  });
  const last = hours[hours.length - 1]?.counts;
  const cell = (v: number | undefined) => (v === undefined ? "—" : v);
  return html`<section class="card" aria-labelledby="${id}-heading">
<h2 id="${id}-heading">Sync activity, last 7 days</h2>
${requestsSvg(hours, `${id}-requests`)}
<p class="legend"><span class="key key-ok" aria-hidden="true"></span>2xx ${total("ok")} <span class="key key-4xx" aria-hidden="true"></span>4xx ${total("clientErrors")} <span class="key key-5xx" aria-hidden="true"></span>5xx ${total("serverErrors")} <span class="hint">(authenticated requests from the IdP; UTC days)</span></p>
${countsSvg(hours, `${id}-counts`)}
<p class="legend"><span class="key key-users" aria-hidden="true"></span>Users ${last ? last.users : "—"} <span class="key key-groups" aria-hidden="true"></span>Groups ${last ? last.groups : "—"} <span class="hint">(now)</span></p>
${
  activity.requestsKnownSince
    ? html`<p class="hint">The request log was pruned: it holds this directory's requests since ${hourLabel(activity.requestsKnownSince)} (SCIM_REQUEST_LOG_RETENTION_DAYS, SCIM_REQUEST_LOG_MAX_ROWS); earlier hours are shaded and have no request counts.</p>`
    : ""
}${
  activity.countsKnownSince
    ? html`<p class="hint">Events older than ${hourLabel(activity.countsKnownSince)} may have been pruned (EVENT_RETENTION_DAYS), so user and group counts before then are not shown.</p>`
    : ""
}
<details>
<summary>Numbers per hour</summary>
${
  rows.length
    ? html`<table>
<caption class="sr-only">Authenticated SCIM requests and counts per hour with activity (UTC)</caption>
<thead><tr><th scope="col">Hour (UTC)</th><th scope="col" class="num">2xx</th><th scope="col" class="num">4xx</th><th scope="col" class="num">5xx</th><th scope="col" class="num">Users</th><th scope="col" class="num">Groups</th></tr></thead>
<tbody>${rows.map(
        (h) =>
          html`<tr><th scope="row">${hourLabel(h.hour)}</th><td class="num">${cell(h.requests?.ok)}</td><td class="num">${cell(h.requests?.clientErrors)}</td><td class="num">${cell(h.requests?.serverErrors)}</td><td class="num">${cell(h.counts?.users)}</td><td class="num">${cell(h.counts?.groups)}</td></tr>`,
      )}</tbody>
</table>
<p class="hint">Hours not listed had no requests and no change in users or groups.</p>`
    : html`<p>No authenticated requests and no changes in the last 7 days.</p>`
}
</details>
</section>`;
}
