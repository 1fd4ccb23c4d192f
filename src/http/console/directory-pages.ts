import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { directoryListRoutes } from "./directory-list-routes.js";
import { directoryOverviewRoutes } from "./directory-overview-routes.js";
import { directoryTokenRoutes } from "./directory-token-routes.js";
import { setupLinkPageRoutes } from "./setup-link-page-routes.js";
import { webhookPageRoutes } from "./webhook-page-routes.js";

// The directory pages of the console: the list and creation, and one directory's overview, tokens,
// setup links and webhook.

export const directoryPages: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(directoryListRoutes);
  await app.register(directoryOverviewRoutes);
  await app.register(directoryTokenRoutes);
  await app.register(setupLinkPageRoutes);
  await app.register(webhookPageRoutes);
};
