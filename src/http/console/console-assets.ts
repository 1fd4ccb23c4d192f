// The console's only stylesheet and script, inlined (no external resources; the CSP allows them by nonce).
// The script only enhances: copy buttons, and `data-live` regions that refresh themselves. Every page works
// without it.

export const CONSOLE_CSS = `
:root { --text: #1b1f24; --muted: #4d5661; --line: #d4d9df; --bg: #f5f7fa; --card: #fff; --accent: #0a58a8;
  --ok-fg: #0f5a24; --ok-bg: #dcf5e3; --wait-fg: #6a4700; --wait-bg: #fff1c7; --bad-fg: #9d0c22; --bad-bg: #ffe6e6;
  --off-fg: #3d4650; --off-bg: #e6e9ed; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--text); background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; } .skip:focus { left: 12px; top: 12px; background: #fff; padding: 6px 10px; z-index: 10; }
header.top { background: #0f2540; color: #fff; }
header.top .wrap { display: flex; align-items: center; gap: 24px; min-height: 56px; }
header.top .brand { font-weight: 700; letter-spacing: .04em; text-transform: uppercase; color: #fff; text-decoration: none; }
header.top nav { flex: 1; }
header.top nav a { color: #d9e4f2; margin-right: 16px; }
header.top form { margin: 0; }
header.top button { background: transparent; color: #fff; border-color: #b9cde6; }
.wrap { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
main.wrap { padding-top: 20px; padding-bottom: 40px; }
h1 { font-size: 26px; margin: 8px 0 16px; line-height: 1.25; }
h2 { font-size: 19px; margin: 0 0 12px; }
.crumbs { font-size: 14px; color: var(--muted); margin: 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin-bottom: 20px; }
.tabs { display: flex; flex-wrap: wrap; gap: 4px; border-bottom: 1px solid var(--line); margin: 0 0 20px; padding: 0; list-style: none; }
.tabs a { display: block; padding: 8px 12px; text-decoration: none; border-radius: 6px 6px 0 0; }
.tabs a[aria-current="page"] { background: var(--card); border: 1px solid var(--line); border-bottom-color: var(--card); margin-bottom: -1px; color: var(--text); font-weight: 600; }
table { width: 100%; border-collapse: collapse; background: var(--card); }
th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 13px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre, .mono { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow: auto; max-height: 480px; }
label { font-weight: 600; }
input[type=text], input[type=password], input[type=search], input[type=url], select, textarea {
  font: inherit; padding: 7px 10px; border: 1px solid #8c959f; border-radius: 6px; background: #fff; color: var(--text); }
.field { margin: 0 0 14px; } .field label { display: block; margin-bottom: 4px; }
.inline { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; }
.inline .field { margin: 0; }
button, .button { font: inherit; font-weight: 600; border-radius: 6px; padding: 7px 14px; cursor: pointer; border: 1px solid var(--accent);
  background: #fff; color: var(--accent); text-decoration: none; display: inline-block; }
button.primary, .button.primary { background: var(--accent); color: #fff; }
button.danger { border-color: var(--bad-fg); color: var(--bad-fg); }
.hint { color: var(--muted); font-size: 14px; margin: 6px 0 0; }
.notice { border-radius: 8px; padding: 10px 12px; margin: 0 0 16px; }
.notice.warn { background: var(--wait-bg); color: var(--wait-fg); }
.notice.bad { background: var(--bad-bg); color: var(--bad-fg); }
.notice.ok { background: var(--ok-bg); color: var(--ok-fg); }
.badge { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 13px; font-weight: 700; white-space: nowrap; }
.badge.healthy, .badge.ok { background: var(--ok-bg); color: var(--ok-fg); }
.badge.waiting { background: var(--wait-bg); color: var(--wait-fg); }
.badge.failing, .badge.bad { background: var(--bad-bg); color: var(--bad-fg); }
.badge.disabled, .badge.off { background: var(--off-bg); color: var(--off-fg); }
.copyrow { display: flex; gap: 8px; } .copyrow input { flex: 1; min-width: 0; font-family: ui-monospace, Menlo, Consolas, monospace; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 14px; margin: 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
.pager { display: flex; gap: 12px; margin: 12px 0; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 20px; }
svg.chart { width: 100%; height: auto; background: #fff; }
/* directory pages (console-dirs): chart legend, search row, danger zone */
.legend { font-size: 14px; margin: 4px 0 14px; }
.key { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin: 0 4px 0 10px; vertical-align: -1px; }
.key-ok { background: #2e7d32; } .key-4xx { background: #b25e00; } .key-5xx { background: #c62828; }
.key-users { background: #0a58a8; } .key-groups { background: #7b3fa0; }
.actions { display: flex; flex-wrap: wrap; gap: 10px; align-items: end; }
.actions form { margin: 0; }
input[type=number] { font: inherit; padding: 7px 10px; border: 1px solid #8c959f; border-radius: 6px; width: 8em; }
.card.danger { border-color: var(--bad-fg); }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

export const CONSOLE_SCRIPT = `
(function () {
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) return;
      navigator.clipboard.writeText(field.value).then(function () { button.textContent = "Copied"; }, function () {
        field.select(); button.textContent = "Press Ctrl+C";
      });
    });
  });
  // <section data-live="url" data-live-ms="2000">: replaced by the same section of a fresh copy of url
  document.querySelectorAll("[data-live]").forEach(function (region) {
    var every = Number(region.getAttribute("data-live-ms")) || 3000;
    function refresh() {
      // never swap content the operator is reading or using (an open <details>, focus inside)
      if (region.querySelector("details[open]") || region.contains(document.activeElement)) return void setTimeout(refresh, every);
      fetch(region.getAttribute("data-live"), { credentials: "same-origin", headers: { accept: "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (text) {
          if (text === null) return;
          var doc = new DOMParser().parseFromString(text, "text/html");
          var fresh = region.id && doc.getElementById(region.id);
          if (fresh) region.innerHTML = fresh.innerHTML;
        })
        .catch(function () {})
        .finally(function () { setTimeout(refresh, every); });
    }
    setTimeout(refresh, every);
  });
})();
`;
