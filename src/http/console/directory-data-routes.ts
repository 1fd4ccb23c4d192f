import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { deliveryPages } from "./delivery-pages.js";
import { eventPages } from "./event-pages.js";
import { groupPages } from "./group-pages.js";
import { requestLogPages } from "./request-log-pages.js";
import { userPages } from "./user-pages.js";

// The pages of one directory's data: users, groups, the SCIM request log, events and webhook deliveries.

export const directoryDataRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(userPages);
  await app.register(groupPages);
  await app.register(requestLogPages);
  await app.register(eventPages);
  await app.register(deliveryPages);
};
