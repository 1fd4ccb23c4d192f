import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";

/** Admin and app-facing REST API under /api/v1. */
export const adminRoutes: FastifyPluginAsyncTypebox = async (_app) => {};
