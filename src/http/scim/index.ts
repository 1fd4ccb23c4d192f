import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";

/** SCIM 2.0 endpoints under /scim/v2/{directoryId}. */
export const scimRoutes: FastifyPluginAsyncTypebox = async (_app) => {};
