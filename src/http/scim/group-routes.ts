import { scimGroups } from "../../groups/group-resources.js";
import { createGroup, deleteGroup, getGroup, patchGroup, queryGroups, replaceGroup } from "../../groups/group-service.js";
import { scimResourceRoutes } from "./resource-routes.js";

// /Groups over the group service. PATCH answers 204 as Entra expects, or 200 with the resource
// when attributes/excludedAttributes ask for it.
export const groupRoutes = scimResourceRoutes({
  endpoint: "Groups",
  summaries: {
    create: "Create a group",
    list: "List or query groups",
    search: "Query groups with a SearchRequest body (RFC 7644 §3.4.3)",
    get: "Get a group",
    replace: "Replace a group",
    patch: "Modify a group (members, displayName); answers 204, or 200 with the resource when attributes/excludedAttributes is given",
    delete: "Delete a group (its memberships go with it)",
  },
  create: (db, directoryId, body, limits) => createGroup(db, directoryId, body, limits.maxMembers, limits.maxResourceBytes),
  get: (db, directoryId, id) => getGroup(db, directoryId, id),
  replace: (db, directoryId, id, body, limits, ifMatch) =>
    replaceGroup(db, directoryId, id, body, limits.maxMembers, ifMatch, limits.maxResourceBytes),
  patch: patchGroup,
  remove: deleteGroup,
  query: queryGroups,
  toScim: (db, baseUrl, rows, projection, _byId, memberBudget) => scimGroups(db, baseUrl, rows, projection, memberBudget),
  patchAnswersNoContent: true,
});
