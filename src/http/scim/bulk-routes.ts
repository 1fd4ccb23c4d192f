import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
export const bulkRoutes: FastifyPluginAsyncTypebox = async (_app) => {};
