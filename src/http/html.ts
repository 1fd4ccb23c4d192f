// A tiny escaping template for the server-rendered pages (setup page, console): every interpolated value
// is escaped unless it is already SafeHtml (produced by this same tag), so markup can nest without double escaping.

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Part = SafeHtml | string | number | null | undefined | false | Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return "";
  if (Array.isArray(part)) return part.map(render).join("");
  if (part instanceof SafeHtml) return part.value;
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

/** Trusted constant markup (CSS, the page script), never user data. */
export const raw = (text: string) => new SafeHtml(text);

/** A read-only value with a Copy button (shown by the page script; without JavaScript the field is selectable). */
export function copyField(id: string, label: string, value: string, hint?: SafeHtml | string): SafeHtml {
  return html`<div class="field">
  <label for="${id}">${label}</label>
  <div class="copyrow">
    <input id="${id}" type="text" readonly value="${value}" spellcheck="false" autocomplete="off">
    <button type="button" class="secondary" data-copy="${id}" aria-label="Copy ${label}" hidden>Copy</button>
  </div>
  ${hint ? html`<p class="hint">${hint}</p>` : ""}
</div>`;
}

/** The <head> of a server-rendered page: no referrer, not indexed, its one stylesheet inline by nonce. */
export function pageHead(title: string, styleNonce: string, css: string): SafeHtml {
  return html`<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${title}</title>
<style nonce="${styleNonce}">${raw(css)}</style>
</head>`;
}
