import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import {
  type AppAttributeView,
  AttributeNotFound,
  deleteAppAttribute,
  listAppAttributes,
  putAppAttribute,
} from "../../attributes/app-attribute-service.js";
import { deleteRole, listRoles, putRole } from "../../roles/role-service.js";
import { APP_ATTRIBUTE_TYPES } from "../../scim/mapping/attribute-coercion.js";
import { AppRolePut, RoleName } from "../admin/role-schemas.js";
import { html, type SafeHtml } from "../html.js";
import { type PageSession, postForm } from "./console-layout.js";
import { formOf, sendPage, sessionOf } from "./console-reply.js";
import { noticeFrom, timeTag, withNotice } from "./directory-page.js";
import { type FormRefusal, refusalNotice, schemaRefusal, unlessRefused } from "./form-refusal.js";

// What the app declares once, for every directory: its user attributes (name, type, required) and its
// roles. Same services as /api/v1/attributes and /api/v1/roles; a refusal is the admin API's problem,
// shown beside the form with the API's status. Each directory maps them on its "Attributes & roles" tab.

export const DECLARATIONS_PATH = "/console/attributes-and-roles";

const NameParams = Type.Object({ name: Type.String({ maxLength: 200 }) });

interface AttributeForm {
  name: string;
  type: string;
  required: boolean;
  refused?: FormRefusal;
}

interface RoleForm {
  name: string;
  description: string;
  refused?: FormRefusal;
}

const BLANK_ATTRIBUTE: AttributeForm = { name: "", type: "string", required: false };
const BLANK_ROLE: RoleForm = { name: "", description: "" };

function typeSelect(id: string, selected: string): SafeHtml {
  return html`<select id="${id}" name="type">${APP_ATTRIBUTE_TYPES.map(
    (t) => html`<option value="${t}"${t === selected ? html` selected` : ""}>${t}</option>`,
  )}</select>`;
}

function attributeRow(a: AppAttributeView, session: PageSession): SafeHtml {
  const change = postForm(
    `${DECLARATIONS_PATH}/attributes`,
    session,
    html`<input type="hidden" name="name" value="${a.name}">
<div class="field"><label for="type-${a.name}">Type of ${a.name}</label>${typeSelect(`type-${a.name}`, a.type)}</div>
<label><input type="checkbox" name="required" value="true"${a.required ? html` checked` : ""}> Required<span class="sr-only"> (${a.name})</span></label>
<button type="submit">Save ${a.name}</button>`,
    html`class="inline"`,
  );
  return html`<tr id="attribute-${a.name}">
<td><span class="mono">${a.name}</span></td>
<td>${a.type}</td>
<td>${a.required ? "yes" : "no"}</td>
<td>${timeTag(a.updatedAt)}</td>
<td>${change}</td>
<td><a href="${DECLARATIONS_PATH}/attributes/${a.name}/delete" aria-label="Delete attribute ${a.name}">Delete…</a></td>
</tr>`;
}

export const appDeclarationPages: FastifyPluginAsyncTypebox = async (app) => {
  async function declarationsPage(session: PageSession, top: SafeHtml | string, attributeForm = BLANK_ATTRIBUTE, roleForm = BLANK_ROLE) {
    const [attributes, roles] = await Promise.all([listAppAttributes(app.db), listRoles(app.db)]);
    const roleRows = roles.map(
      (r) => html`<tr id="role-${r.name}">
<td><span class="mono">${r.name}</span></td>
<td>${r.description ?? ""}</td>
<td>${timeTag(new Date(r.updatedAt))}</td>
<td>${postForm(`${DECLARATIONS_PATH}/roles/${encodeURIComponent(r.name)}/delete`, session, html`<button type="submit" class="danger" aria-label="Remove role ${r.name}">Remove</button>`)}</td>
</tr>`,
    );
    const body = html`${top}
<p>Declared once for the app, used by every directory. Each directory maps the attributes to SCIM paths and its groups to the roles on its <strong>Attributes &amp; roles</strong> tab.</p>
<section class="card" aria-labelledby="attributes-heading">
<h2 id="attributes-heading">App attributes</h2>
<p>Every directory's users get <span class="mono">attributes.{name}</span> on the app-facing user (admin API and event data), typed as declared. A change recomputes every directory's users in the background.</p>
${
  attributes.length
    ? html`<table id="attributes">
<caption class="sr-only">Declared attributes</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Required</th><th scope="col">Changed</th><th scope="col">Change</th><th scope="col">Delete</th></tr></thead>
<tbody>${attributes.map((a) => attributeRow(a, session))}</tbody></table>`
    : html`<p id="no-attributes">No attributes declared yet.</p>`
}
<h3 id="declare-heading">Declare an attribute</h3>
${refusalNotice("attribute-error", attributeForm.refused)}
${postForm(
  `${DECLARATIONS_PATH}/attributes`,
  session,
  html`<div class="field"><label for="attribute-name">Name</label><input id="attribute-name" name="name" type="text" required maxlength="64" value="${attributeForm.name}" spellcheck="false" autocomplete="off" aria-describedby="attribute-name-hint"><p class="hint" id="attribute-name-hint">A letter, then letters, digits or _ (64 at most). The same name again changes its declaration.</p></div>
<div class="field"><label for="attribute-type">Type</label>${typeSelect("attribute-type", attributeForm.type)}</div>
<div class="field"><label><input type="checkbox" id="attribute-required" name="required" value="true"${attributeForm.required ? html` checked` : ""} aria-describedby="attribute-required-hint"> Required</label><p class="hint" id="attribute-required-hint">A user without a value still syncs: the attribute is null and the directory shows a warning.</p></div>
<button type="submit" class="primary" id="declare-attribute">Declare attribute</button>`,
  html`aria-labelledby="declare-heading"`,
)}
</section>
<section class="card" aria-labelledby="roles-heading">
<h2 id="roles-heading">Roles</h2>
<p>A user's <span class="mono">roles</span> come from its groups through each directory's role mapping. A role a directory's mapping names cannot be removed.</p>
${refusalNotice("role-error", roleForm.refused)}
${
  roleRows.length
    ? html`<table id="roles">
<caption class="sr-only">Declared roles</caption>
<thead><tr><th scope="col">Role</th><th scope="col">Description</th><th scope="col">Changed</th><th scope="col">Remove</th></tr></thead>
<tbody>${roleRows}</tbody></table>`
    : html`<p id="no-roles">No roles declared yet.</p>`
}
<h3 id="declare-role-heading">Declare a role or change its description</h3>
${postForm(
  `${DECLARATIONS_PATH}/roles`,
  session,
  html`<div class="field"><label for="role-name">Role name</label><input id="role-name" name="name" type="text" required maxlength="64" value="${roleForm.name}" spellcheck="false" autocomplete="off" aria-describedby="role-name-hint"><p class="hint" id="role-name-hint">Letters, digits and . _ : - (not first), case-sensitive, 64 at most.</p></div>
<div class="field"><label for="role-description">Description (optional)</label><input id="role-description" name="description" type="text" maxlength="1000" size="48" value="${roleForm.description}"></div>
<button type="submit" class="primary" id="declare-role">Save role</button>`,
  html`aria-labelledby="declare-role-heading"`,
)}
</section>`;
    return { title: "Attributes and roles", session, body };
  }

  app.get(DECLARATIONS_PATH, { schema: { hide: true } }, async (request, reply) => {
    return sendPage(reply, await declarationsPage(sessionOf(request), noticeFrom(request)));
  });

  app.post(`${DECLARATIONS_PATH}/attributes`, { schema: { hide: true } }, async (request, reply) => {
    const form = formOf(request);
    const values: AttributeForm = { name: (form.name ?? "").trim(), type: form.type ?? "", required: form.required === "true" };
    const done = await unlessRefused(() => putAppAttribute(app.db, values.name, { type: values.type, required: values.required }));
    if (done.refused) {
      const page = await declarationsPage(sessionOf(request), "", { ...values, refused: done.refused });
      return sendPage(reply.code(done.refused.status), page);
    }
    return reply.redirect(withNotice(DECLARATIONS_PATH, done.value.created ? "attribute-declared" : "attribute-saved"), 303);
  });

  app.get(`${DECLARATIONS_PATH}/attributes/:name/delete`, { schema: { hide: true, params: NameParams } }, async (request, reply) => {
    const session = sessionOf(request);
    const attribute = (await listAppAttributes(app.db)).find((a) => a.name === request.params.name);
    if (!attribute) throw new AttributeNotFound(request.params.name);
    const body = html`<section class="card danger" aria-labelledby="confirm-heading">
<h2 id="confirm-heading">Delete the attribute <span class="mono">${attribute.name}</span>?</h2>
<p>Every directory's mapping of it and its warnings are removed, and every directory's users are recomputed in the background: <span class="mono">attributes.${attribute.name}</span> disappears from the app-facing user (each user whose attributes change gets a <span class="mono">user.updated</span>).</p>
<div class="actions">${postForm(
      `${DECLARATIONS_PATH}/attributes/${attribute.name}/delete`,
      session,
      html`<button type="submit" class="danger" id="delete-attribute">Delete attribute ${attribute.name}</button>`,
    )}<a href="${DECLARATIONS_PATH}">Keep it</a></div>
</section>`;
    return sendPage(reply, {
      title: `Delete attribute ${attribute.name}`,
      session,
      crumbs: [["Attributes and roles", DECLARATIONS_PATH]],
      body,
    });
  });

  app.post(`${DECLARATIONS_PATH}/attributes/:name/delete`, { schema: { hide: true, params: NameParams } }, async (request, reply) => {
    await deleteAppAttribute(app.db, request.params.name);
    return reply.redirect(withNotice(DECLARATIONS_PATH, "attribute-deleted"), 303);
  });

  app.post(`${DECLARATIONS_PATH}/roles`, { schema: { hide: true } }, async (request, reply) => {
    const form = formOf(request);
    const values: RoleForm = { name: (form.name ?? "").trim(), description: (form.description ?? "").trim() };
    const input = { description: values.description === "" ? null : values.description };
    const refused = schemaRefusal(RoleName, values.name, () => "Role name") ?? schemaRefusal(AppRolePut, input, () => "Description");
    const done = refused ? { refused } : await unlessRefused(() => putRole(app.db, values.name, input));
    if (done.refused) {
      const page = await declarationsPage(sessionOf(request), "", undefined, { ...values, refused: done.refused });
      return sendPage(reply.code(done.refused.status), page);
    }
    return reply.redirect(withNotice(DECLARATIONS_PATH, done.value.created ? "role-declared" : "role-saved"), 303);
  });

  app.post(`${DECLARATIONS_PATH}/roles/:name/delete`, { schema: { hide: true, params: NameParams } }, async (request, reply) => {
    const name = request.params.name;
    const refused = schemaRefusal(RoleName, name, () => "Role name");
    const done = refused ? { refused } : await unlessRefused(() => deleteRole(app.db, name));
    if (done.refused) {
      const page = await declarationsPage(sessionOf(request), "", undefined, { ...BLANK_ROLE, refused: done.refused });
      return sendPage(reply.code(done.refused.status), page);
    }
    return reply.redirect(withNotice(DECLARATIONS_PATH, "role-removed"), 303);
  });
};
