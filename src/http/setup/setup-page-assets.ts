// The setup page's only stylesheet and script, inlined (no external resources; CSP allows them by nonce).

export const SETUP_PAGE_CSS = `
:root { --text: #1b1f24; --muted: #4d5661; --line: #d4d9df; --bg: #f5f7fa; --card: #fff; --accent: #0a58a8;
  --ok-fg: #0f5a24; --ok-bg: #dcf5e3; --wait-fg: #6a4700; --wait-bg: #fff1c7; --bad-fg: #9d0c22; --bad-bg: #ffe6e6; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--text); background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; } .skip:focus { left: 12px; top: 12px; background: #fff; padding: 6px 10px; }
header.top { background: #0f2540; color: #fff; padding: 22px 0 26px; }
header.top .brand { font-weight: 700; letter-spacing: .04em; font-size: 14px; text-transform: uppercase; color: #b9cde6; }
header.top h1 { margin: 4px 0 6px; font-size: 28px; line-height: 1.25; }
header.top p { margin: 0; color: #d9e4f2; }
.wrap { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
.layout { display: grid; grid-template-columns: minmax(0, 1fr) 380px; gap: 24px; align-items: start; padding-top: 24px; padding-bottom: 40px; }
.layout.single { grid-template-columns: minmax(0, 720px); }
.side { display: grid; gap: 24px; position: sticky; top: 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 20px 22px; }
.card h2 { margin: 0 0 12px; font-size: 19px; }
.field { margin: 0 0 16px; }
.field label, .field .label { display: block; font-weight: 600; margin-bottom: 4px; }
.copyrow { display: flex; gap: 8px; }
.copyrow input { flex: 1; min-width: 0; font: 14px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; padding: 8px 10px;
  border: 1px solid #8c959f; border-radius: 6px; background: #f6f8fa; color: var(--text); }
button, .button { font: inherit; font-weight: 600; border-radius: 6px; padding: 8px 14px; cursor: pointer; border: 1px solid var(--accent); }
button.primary { background: var(--accent); color: #fff; }
button.secondary { background: #fff; color: var(--accent); }
.hint { color: var(--muted); font-size: 14px; margin: 6px 0 0; }
.notice { border-radius: 8px; padding: 10px 12px; margin: 0 0 16px; }
.notice.warn { background: var(--wait-bg); color: var(--wait-fg); }
.notice.bad { background: var(--bad-bg); color: var(--bad-fg); }
.notice.ok { background: var(--ok-bg); color: var(--ok-fg); }
.badge { display: inline-block; text-transform: capitalize; vertical-align: 2px; border-radius: 999px; padding: 2px 10px; font-size: 13px; font-weight: 700; }
#status[data-state="waiting"] .badge { background: var(--wait-bg); color: var(--wait-fg); }
#status[data-state="connected"] .badge { background: var(--ok-bg); color: var(--ok-fg); }
#status[data-state="failing"] .badge { background: var(--bad-bg); color: var(--bad-fg); }
.headline { font-weight: 600; margin: 8px 0 12px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 12px; margin: 0 0 12px; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.errors { list-style: none; padding: 0; margin: 0; display: grid; gap: 8px; }
.errors li { border-left: 3px solid var(--bad-fg); padding: 2px 0 2px 10px; overflow-wrap: anywhere; }
.errors p { margin: 2px 0 0; color: var(--muted); font-size: 14px; }
.tabs { display: flex; gap: 4px; list-style: none; padding: 0; margin: 0 0 -1px; flex-wrap: wrap; }
.tabs a { display: block; padding: 10px 16px; border: 1px solid transparent; border-radius: 8px 8px 0 0; text-decoration: none; font-weight: 600; }
.tabs a[aria-selected="true"] { background: var(--card); border-color: var(--line); border-bottom-color: var(--card); color: var(--text); }
.guide { border-top-left-radius: 0; }
.guide section + section { border-top: 1px solid var(--line); margin-top: 24px; padding-top: 8px; }
.js .guide section + section { border-top: 0; margin-top: 0; padding-top: 0; }
ol.steps { padding-left: 0; list-style: none; counter-reset: step; margin: 0; }
ol.steps > li { counter-increment: step; position: relative; padding: 0 0 18px 44px; }
ol.steps > li::before { content: counter(step); position: absolute; left: 0; top: 0; width: 30px; height: 30px; border-radius: 50%;
  background: #e3edf9; color: #0f2540; font-weight: 700; display: grid; place-items: center; font-size: 15px; }
ol.steps h3 { margin: 2px 0 4px; font-size: 16px; }
ol.steps p, ol.steps ul { margin: 4px 0; }
.ui { font-weight: 600; background: #eef1f4; border-radius: 4px; padding: 0 5px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 14px; }
pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow-x: auto; }
footer { color: var(--muted); font-size: 14px; padding: 0 0 32px; }
[hidden] { display: none !important; }
@media (max-width: 920px) { .layout { grid-template-columns: 1fr; } .side { position: static; } }
`;

// Copy buttons, tabs, and the live status panel (polls the status JSON every 3 seconds while visible).
export const SETUP_PAGE_SCRIPT = `
(() => {
  document.documentElement.classList.add("js");
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const input = document.getElementById(button.dataset.copy);
      try { await navigator.clipboard.writeText(input.value); }
      catch { input.select(); document.execCommand("copy"); }
      const label = button.textContent;
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = label; }, 2000);
    });
  }

  const tablist = document.querySelector("[data-tabs]");
  if (tablist) {
    const tabs = [...tablist.querySelectorAll("a")];
    tablist.setAttribute("role", "tablist");
    const select = (tab, focus) => {
      for (const t of tabs) {
        const on = t === tab;
        t.setAttribute("aria-selected", String(on));
        t.tabIndex = on ? 0 : -1;
        document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
      }
      if (focus) tab.focus();
    };
    for (const tab of tabs) {
      const id = tab.hash.slice(1);
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", id);
      tab.id = "tab-" + id;
      tab.parentElement.setAttribute("role", "presentation");
      const panel = document.getElementById(id);
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      tab.addEventListener("click", (e) => { e.preventDefault(); select(tab, false); history.replaceState(null, "", "#" + id); });
      tab.addEventListener("keydown", (e) => {
        const i = tabs.indexOf(tab);
        if (e.key === "ArrowRight") select(tabs[(i + 1) % tabs.length], true);
        if (e.key === "ArrowLeft") select(tabs[(i - 1 + tabs.length) % tabs.length], true);
      });
    }
    select(tabs.find((t) => t.hash === location.hash) || tabs[0], false);
  }

  const panel = document.getElementById("status");
  if (!panel) return;
  const render = (d) => {
    panel.dataset.state = d.state;
    // only changed text is replaced, so screen readers announce changes, not every poll
    for (const el of panel.querySelectorAll("[data-field]")) {
      if (el.textContent !== d[el.dataset.field]) el.textContent = d[el.dataset.field];
    }
    const list = panel.querySelector("[data-errors]");
    const titles = d.errors.map((e) => e.title).join("|");
    if (list.dataset.titles === titles) return;
    list.dataset.titles = titles;
    list.replaceChildren(...d.errors.map((e) => {
      const li = document.createElement("li");
      const title = document.createElement("strong");
      title.textContent = e.title;
      const detail = document.createElement("p");
      detail.textContent = e.detail;
      li.append(title, detail);
      return li;
    }));
    panel.querySelector("[data-no-errors]").hidden = d.errors.length > 0;
  };
  const poll = async () => {
    if (!document.hidden) {
      try {
        const res = await fetch(panel.dataset.statusUrl, { cache: "no-store", headers: { accept: "application/json" } });
        if (res.status === 404 || res.status === 410) {
          panel.querySelector("[data-field=headline]").textContent = "This setup link is no longer valid; reload the page.";
          return;
        }
        if (res.ok) {
          render((await res.json()).display);
          panel.querySelector("[data-updated]").textContent = "Updated " + new Date().toLocaleTimeString();
        }
      } catch {}
    }
    setTimeout(poll, 3000);
  };
  setTimeout(poll, 3000);
})();
`;
