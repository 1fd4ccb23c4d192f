import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import {
  getDirectoryAttributeMappings,
  getRemapJob,
  setDirectoryAttributeMapping,
  startRemap,
} from "../../attributes/attribute-mapping-service.js";
import { seenScimPaths } from "../../attributes/seen-scim-paths.js";
import type { DirectoryView } from "../../directories/directory-service.js";
import { listGroups } from "../../groups/group-listing.js";
import { getRoleMapping, listRoles, putRoleMapping } from "../../roles/role-service.js";
import { AttributeMappingInput } from "../admin/attribute-schemas.js";
import { html, type SafeHtml } from "../html.js";
import {
  type AttributeFieldState,
  attributeMappingTable,
  mappingWarningsTable,
  remapCard,
  seenPathsTable,
} from "./attribute-mapping-sections.js";
import { directoryPath, type PageSession } from "./console-layout.js";
import { formOf, sessionOf } from "./console-reply.js";
import { noticeFrom, type NoticeKey, withNotice } from "./directory-page.js";
import { directoryOf, sendSection, DirectoryParams } from "./directory-section.js";
import { schemaRefusal, unlessRefused } from "./form-refusal.js";
import { type RoleMappingFormState, readRoleMappingForm, roleMappingForm, roleMappingFormOf, ruleNumbers } from "./role-mapping-form.js";

// A directory's "Attributes & roles" tab: the SCIM path of each declared attribute (chosen from the paths
// seen in its users), the remap job and the mapping warnings, and the role mapping of its groups. Every
// action calls the service of the matching admin route (/api/v1/directories/:id/attribute-mappings/:name,
// …/attribute-remap, …/scim-paths, …/role-mapping); a refusal is the API's problem, shown by its form
// with the API's status and what the operator typed kept.

const AttributeParams = Type.Object({ id: Type.String(), name: Type.String({ maxLength: 200 }) });
/** Group names offered by the rules' datalist (the first ones by the listing's order). */
const GROUP_SUGGESTIONS = 200;

interface Typed {
  attribute?: AttributeFieldState;
  roles?: RoleMappingFormState;
}

export const directoryMappingPages: FastifyPluginAsyncTypebox = async (app) => {
  const mappingPath = (directoryId: string) => directoryPath(directoryId, "mapping");
  const attributeAction = (directoryId: string) => (attribute: string) =>
    `${mappingPath(directoryId)}/attributes/${encodeURIComponent(attribute)}`;

  async function mappingBody(directory: DirectoryView, session: PageSession, top: SafeHtml | string, typed: Typed = {}) {
    const path = mappingPath(directory.id);
    const [mappings, seen, roles, roleMapping, groups] = await Promise.all([
      getDirectoryAttributeMappings(app.db, directory.id),
      seenScimPaths(app.db, directory.id),
      listRoles(app.db),
      getRoleMapping(app.db, directory.id),
      listGroups(app.db, directory.id, { limit: GROUP_SUGGESTIONS }),
    ]);
    return html`${top}
<section class="card" id="attributes" aria-labelledby="attributes-heading">
<h2 id="attributes-heading">Attribute mapping</h2>
<p>Where this directory's users carry each attribute the app declares (provider: <strong>${mappings.provider}</strong>). The values appear as <span class="mono">attributes</span> on the app-facing user.</p>
${attributeMappingTable(attributeAction(directory.id), session, mappings.provider, mappings.data, seen, typed.attribute)}
</section>
<section class="card" aria-labelledby="seen-heading">
<h2 id="seen-heading">SCIM paths seen in this directory</h2>
${seenPathsTable(seen)}
</section>
${remapCard(`${path}/remap`, `${path}/remap`, session, mappings.remap)}
<section class="card" id="warnings" aria-labelledby="warnings-heading">
<h2 id="warnings-heading">Mapping warnings</h2>
${mappingWarningsTable(mappings.warnings)}
</section>
<section class="card" id="roles" aria-labelledby="roles-heading">
<h2 id="roles-heading">Role mapping</h2>
${roleMappingForm(
  `${path}/roles`,
  session,
  typed.roles ?? roleMappingFormOf(roleMapping),
  roles,
  groups.data.map((g) => g.displayName),
)}
</section>`;
  }

  const redirectTo = (directoryId: string, notice: NoticeKey, anchor: string) =>
    `${withNotice(mappingPath(directoryId), notice)}#${anchor}`;

  app.get("/console/directories/:id/mapping", { schema: { hide: true, params: DirectoryParams } }, async (request, reply) => {
    const session = sessionOf(request);
    const directory = await directoryOf(app, request.params.id);
    const body = await mappingBody(directory, session, noticeFrom(request));
    return sendSection(reply, { directory, tab: "mapping", session, title: "Attributes and roles", body });
  });

  // the remap card alone: the mapping page's card refreshes itself from here while the job runs
  app.get("/console/directories/:id/mapping/remap", { schema: { hide: true, params: DirectoryParams } }, async (request, reply) => {
    const session = sessionOf(request);
    const directory = await directoryOf(app, request.params.id);
    const path = `${mappingPath(directory.id)}/remap`;
    const body = remapCard(path, path, session, await getRemapJob(app.db, directory.id));
    return sendSection(reply, {
      directory,
      tab: "mapping",
      session,
      title: "Remap",
      crumbs: [["Attributes and roles", mappingPath(directory.id)]],
      body,
    });
  });

  app.post("/console/directories/:id/mapping/remap", { schema: { hide: true, params: DirectoryParams } }, async (request, reply) => {
    const directory = await directoryOf(app, request.params.id);
    await startRemap(app.db, directory.id);
    return reply.redirect(redirectTo(directory.id, "remap-started", "remap"), 303);
  });

  for (const clear of [false, true]) {
    app.post(
      `/console/directories/:id/mapping/attributes/:name${clear ? "/clear" : ""}`,
      { schema: { hide: true, params: AttributeParams } },
      async (request, reply) => {
        const session = sessionOf(request);
        const directory = await directoryOf(app, request.params.id);
        const attribute = request.params.name;
        const typedPath = clear ? "" : (formOf(request).scimPath ?? "").trim();
        const scimPath = clear ? null : typedPath;
        const refused =
          scimPath === ""
            ? { status: 400, detail: `Enter a SCIM path for ${attribute}, or clear its mapping to go back to the provider default.` }
            : schemaRefusal(AttributeMappingInput, { scimPath }, () => "scimPath");
        const done = refused
          ? { refused }
          : await unlessRefused(() => setDirectoryAttributeMapping(app.db, directory.id, attribute, scimPath));
        if (done.refused) {
          const body = await mappingBody(directory, session, "", { attribute: { attribute, scimPath: typedPath, refused: done.refused } });
          return sendSection(reply, {
            directory,
            tab: "mapping",
            session,
            title: "Attributes and roles",
            body,
            status: done.refused.status,
          });
        }
        return reply.redirect(redirectTo(directory.id, clear ? "mapping-cleared" : "mapping-saved", "attributes"), 303);
      },
    );
  }

  app.post("/console/directories/:id/mapping/roles", { schema: { hide: true, params: DirectoryParams } }, async (request, reply) => {
    const session = sessionOf(request);
    const directory = await directoryOf(app, request.params.id);
    const { state, mapping } = readRoleMappingForm(formOf(request));
    const done = mapping ? await unlessRefused(() => putRoleMapping(app.db, directory.id, mapping)) : { refused: state.refused! };
    if (done.refused) {
      const refused = { ...done.refused, detail: ruleNumbers(done.refused.detail) };
      const body = await mappingBody(directory, session, "", { roles: { ...state, refused } });
      return sendSection(reply, { directory, tab: "mapping", session, title: "Attributes and roles", body, status: refused.status });
    }
    return reply.redirect(redirectTo(directory.id, "role-mapping-saved", "roles"), 303);
  });
};
