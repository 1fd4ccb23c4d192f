import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { requireAdminKey } from "../admin-auth.js";
import { registerAdminRateLimit } from "../plugins/rate-limit.js";
import { validateJsonBodiesAsSent } from "../plugins/request-validation.js";
import { renderAdminError } from "./admin-errors.js";
import { attributeRoutes } from "./attribute-routes.js";
import { directoryRoutes } from "./directory-routes.js";
import { eventRoutes } from "./event-routes.js";
import { groupRoutes } from "./group-routes.js";
import { roleRoutes } from "./role-routes.js";
import { scimRequestRoutes } from "./scim-request-routes.js";
import { setupLinkRoutes } from "./setup-link-routes.js";
import { statsRoutes } from "./stats-routes.js";
import { tokenRoutes } from "./token-routes.js";
import { userRoutes } from "./user-routes.js";
import { webhookDeliveryRoutes } from "./webhook-delivery-routes.js";

/**
 * Admin and app-facing REST API under /api/v1. Everything registered here is rate-limited and needs
 * an admin API key: add a route module with one `await app.register(...)` line below.
 */
export const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await registerAdminRateLimit(app);
  app.addHook("onRequest", requireAdminKey);
  app.setErrorHandler(renderAdminError);
  validateJsonBodiesAsSent(app);

  await app.register(directoryRoutes);
  await app.register(tokenRoutes);
  await app.register(userRoutes);
  await app.register(groupRoutes);
  await app.register(statsRoutes);
  await app.register(setupLinkRoutes);
  await app.register(scimRequestRoutes);
  await app.register(eventRoutes);
  await app.register(webhookDeliveryRoutes);
  await app.register(attributeRoutes);
  await app.register(roleRoutes);
};
