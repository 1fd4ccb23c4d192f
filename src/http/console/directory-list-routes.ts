import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { html } from "../html.js";
import { sendPage, sessionOf } from "./console-reply.js";

// The directories page (placeholder until the directory pages land).

export const directoryListRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get("/console/directories", { schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, { title: "Directories", session: sessionOf(request), body: html`<p>No directories yet.</p>` }),
  );
};
