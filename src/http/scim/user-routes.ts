import { scimUsers, wantsUserGroups } from "../../users/user-resources.js";
import { createUser, deleteUser, getUser, patchUser, queryUsers, replaceUser } from "../../users/user-service.js";
import { scimResourceRoutes } from "./resource-routes.js";

// /Users over the user service. The read-only `groups` attribute is returned by default on GET by id only.
export const userRoutes = scimResourceRoutes({
  endpoint: "Users",
  summaries: {
    create: "Create a user",
    list: "List or query users",
    search: "Query users with a SearchRequest body (RFC 7644 §3.4.3)",
    get: "Get a user",
    replace: "Replace a user",
    patch: "Modify a user with PATCH operations; answers 200 with the resource",
    delete: "Delete a user (and its group memberships)",
  },
  create: (db, directoryId, body, limits) => createUser(db, directoryId, body, limits.maxResourceBytes),
  get: (db, directoryId, id, projection) => getUser(db, directoryId, id, { groups: wantsUserGroups(projection, true) }),
  replace: (db, directoryId, id, body, limits, ifMatch) => replaceUser(db, directoryId, id, body, ifMatch, limits.maxResourceBytes),
  patch: patchUser,
  remove: deleteUser,
  query: queryUsers,
  toScim: scimUsers,
  patchAnswersNoContent: false,
});
