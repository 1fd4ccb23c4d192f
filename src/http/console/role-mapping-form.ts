import type { AppRole, RoleMapping } from "../../roles/role-service.js";
import { RoleMapping as RoleMappingSchema } from "../admin/role-schemas.js";
import { html, type SafeHtml } from "../html.js";
import { type PageSession, postForm } from "./console-layout.js";
import type { FormBody } from "./console-reply.js";
import { type FormRefusal, refusalNotice, schemaRefusal } from "./form-refusal.js";

// A directory's role mapping as one form without JavaScript: the default role, one row per rule and a few
// blank rows for new ones; a rule is removed with its checkbox. The form is read
// back into the admin API's RoleMapping document, checked by the API's own schema, and saved by the same
// service as PUT /api/v1/directories/:id/role-mapping. Rule N of the page is rules[N-1] of the document.

export const BLANK_RULE_ROWS = 3;
/** The schema allows 500 rules; a few more rows are read so that too many is refused, not cut. */
const MAX_ROWS = 520;

export interface RuleRow {
  kind: "displayName" | "groupId";
  group: string;
  role: string;
  priority: string;
}

export interface RoleMappingFormState {
  defaultRole: string;
  rows: RuleRow[];
  refused?: FormRefusal;
}

const BLANK_ROW: RuleRow = { kind: "displayName", group: "", role: "", priority: "" };

/** The form as the stored mapping fills it. */
export function roleMappingFormOf(mapping: RoleMapping): RoleMappingFormState {
  return {
    defaultRole: mapping.defaultRole ?? "",
    rows: mapping.rules.map((r) => ({
      kind: "groupId" in r.match ? "groupId" : "displayName",
      group: "groupId" in r.match ? r.match.groupId : r.match.displayName,
      role: r.role,
      priority: String(r.priority),
    })),
  };
}

const FIELD_NAMES: Record<string, string> = {
  "match/groupId": "group id",
  "match/displayName": "group name",
  match: "group",
  role: "role",
  priority: "priority",
};

/** "/rules/2/priority" → "Rule 3 priority"; "/defaultRole" → "Default role". */
function fieldOf(pointer: string): string {
  const rule = /^\/rules\/(\d+)(?:\/(.*))?$/.exec(pointer);
  if (rule) return `Rule ${Number(rule[1]) + 1}${rule[2] ? ` ${FIELD_NAMES[rule[2]] ?? rule[2]}` : ""}`;
  if (pointer === "/defaultRole") return "Default role";
  return pointer === "/rules" ? "Rules" : "The role mapping";
}

/** A service's detail names rules by index ("rules[1] … rules[0]"); the page calls them Rule 2 and Rule 1. */
export function ruleNumbers(detail: string): string {
  return detail.replace(/rules\[(\d+)\]/g, (_, i: string) => `Rule ${Number(i) + 1}`);
}

/** The posted form: the rows kept (blank and removed ones dropped), and the mapping they make or why it is refused. */
export function readRoleMappingForm(form: FormBody): { state: RoleMappingFormState; mapping?: RoleMapping } {
  const count = Math.min(Number.parseInt(form.rules ?? "0", 10) || 0, MAX_ROWS);
  const rows: RuleRow[] = [];
  for (let i = 0; i < count; i++) {
    const row: RuleRow = {
      kind: form[`rule${i}.kind`] === "groupId" ? "groupId" : "displayName",
      group: (form[`rule${i}.group`] ?? "").trim(),
      role: form[`rule${i}.role`] ?? "",
      priority: (form[`rule${i}.priority`] ?? "").trim(),
    };
    if (form[`rule${i}.remove`] === "true" || (row.group === "" && row.role === "")) continue;
    rows.push(row);
  }
  const state: RoleMappingFormState = { defaultRole: form.defaultRole ?? "", rows };
  const missing = rows.findIndex((r) => r.group === "" || r.role === "");
  if (missing >= 0) {
    const what = rows[missing]!.group === "" ? "enter the group's name or id" : "choose a role";
    return {
      state: { ...state, refused: { status: 400, detail: `Rule ${missing + 1}: ${what} (or tick Remove to leave the rule out).` } },
    };
  }
  const mapping = {
    defaultRole: state.defaultRole === "" ? null : state.defaultRole,
    rules: rows.map((r) => ({
      match: r.kind === "groupId" ? { groupId: r.group } : { displayName: r.group },
      role: r.role,
      // a blank priority is 0; anything but a whole number is left for the schema to refuse
      priority: r.priority === "" ? 0 : /^[+-]?\d{1,10}$/.test(r.priority) ? Number(r.priority) : r.priority,
    })),
  } as RoleMapping;
  const refused = schemaRefusal(RoleMappingSchema, mapping, fieldOf);
  return refused ? { state: { ...state, refused } } : { state, mapping };
}

function roleOptions(roles: AppRole[], selected: string, none: string): SafeHtml {
  // a role no longer declared (or typed into a crafted form) stays visible as chosen, so the refusal makes sense
  const names = roles.map((r) => r.name);
  if (selected !== "" && !names.includes(selected)) names.push(selected);
  return html`<option value=""${selected === "" ? html` selected` : ""}>${none}</option>${names.map(
    (n) => html`<option value="${n}"${n === selected ? html` selected` : ""}>${n}</option>`,
  )}`;
}

function ruleRow(i: number, row: RuleRow, roles: AppRole[], existing: boolean): SafeHtml {
  const id = (field: string) => `rule${i}-${field}`;
  const n = i + 1;
  return html`<tr>
<th scope="row">${existing ? `Rule ${n}` : "New rule"}</th>
<td><label class="sr-only" for="${id("kind")}">Rule ${n} matches the group by</label><select id="${id("kind")}" name="rule${i}.kind">
<option value="displayName"${row.kind === "displayName" ? html` selected` : ""}>displayName</option>
<option value="groupId"${row.kind === "groupId" ? html` selected` : ""}>group id</option></select></td>
<td><label class="sr-only" for="${id("group")}">Rule ${n} group</label><input id="${id("group")}" name="rule${i}.group" type="text" maxlength="1000" value="${row.group}" list="directory-groups" spellcheck="false" autocomplete="off"></td>
<td><label class="sr-only" for="${id("role")}">Rule ${n} role</label><select id="${id("role")}" name="rule${i}.role">${roleOptions(roles, row.role, "(choose)")}</select></td>
<td><label class="sr-only" for="${id("priority")}">Rule ${n} priority</label><input id="${id("priority")}" name="rule${i}.priority" type="number" step="1" min="-1000000" max="1000000" placeholder="0" value="${row.priority}"></td>
<td>${existing ? html`<input type="checkbox" id="${id("remove")}" name="rule${i}.remove" value="true"> <label for="${id("remove")}">Remove<span class="sr-only"> rule ${n}</span></label>` : ""}</td>
</tr>`;
}

/** The form: default role, the rules, blank rows; the datalist of the directory's group names helps fill a group. */
export function roleMappingForm(
  action: string,
  session: PageSession,
  state: RoleMappingFormState,
  roles: AppRole[],
  groupNames: string[],
): SafeHtml {
  const rows = [
    ...state.rows.map((r) => [r, true] as const),
    ...Array.from({ length: BLANK_RULE_ROWS }, () => [BLANK_ROW, false] as const),
  ];
  return html`${refusalNotice("role-mapping-error", state.refused)}
${
  roles.length === 0
    ? html`<p class="notice warn" role="status">No roles are declared yet: declare them on the <a href="/console/attributes-and-roles">Attributes and roles</a> page first.</p>`
    : ""
}
${postForm(
  action,
  session,
  html`<input type="hidden" name="rules" value="${rows.length}">
<div class="field"><label for="defaultRole">Default role</label><select id="defaultRole" name="defaultRole" aria-describedby="default-role-hint">${roleOptions(roles, state.defaultRole, "(none)")}</select>
<p class="hint" id="default-role-hint">The role of a user in no mapped group. None: such a user has no roles.</p></div>
<table id="role-rules">
<caption>Rules: a user gets the role of every rule that matches one of its groups, highest priority first (roles[0] is the primary role).</caption>
<thead><tr><th scope="col">Rule</th><th scope="col">Match by</th><th scope="col">Group</th><th scope="col">Role</th><th scope="col">Priority</th><th scope="col">Remove</th></tr></thead>
<tbody>${rows.map(([row, existing], i) => ruleRow(i, row, roles, existing))}</tbody></table>
<datalist id="directory-groups">${groupNames.map((name) => html`<option value="${name}"></option>`)}</datalist>
<p class="hint">A displayName matches in any case; a group id is the group's id as the Groups tab shows it. Fill a blank row to add a rule (save to get more blank rows); tick Remove to remove one.</p>
<button type="submit" class="primary" id="save-role-mapping">Save role mapping</button>`,
)}`;
}
