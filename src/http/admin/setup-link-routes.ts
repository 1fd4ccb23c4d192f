import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { createSetupLink, listSetupLinks, revokeSetupLink, setupLinkState } from "../../setup-links/setup-link-service.js";
import { ApiProblem } from "../problem.js";

// Setup links for a directory's IT admin: create (the URL holds the secret and is shown only here), list, revoke.

const DirectoryParams = Type.Object({ id: Type.String({ format: "uuid" }) });
const LinkParams = Type.Object({ id: Type.String({ format: "uuid" }), linkId: Type.String({ format: "uuid" }) });

const CreatedLink = Type.Object({
  id: Type.String({ format: "uuid" }),
  url: Type.String({ description: "Open this in a browser; it contains the link's secret and is not shown again" }),
  expiresAt: Type.String({ format: "date-time" }),
});
const CreateBody = Type.Object(
  { ttlDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, description: "Lifetime in days; default SETUP_LINK_TTL_DAYS" })) },
  { additionalProperties: false },
);
const LinkSummary = Type.Object({
  id: Type.String({ format: "uuid" }),
  createdAt: Type.String({ format: "date-time" }),
  expiresAt: Type.String({ format: "date-time" }),
  revokedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  state: Type.Union([Type.Literal("active"), Type.Literal("expired"), Type.Literal("revoked")]),
});

export const setupLinkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    "/directories/:id/setup-links",
    {
      schema: {
        tags: ["setup links"],
        summary: "Create a setup link for the directory's IT admin",
        description:
          "A signed link to a page that walks the admin through connecting Entra ID, Okta or another SCIM client, with a live status panel. Default lifetime SETUP_LINK_TTL_DAYS.",
        security: [{ adminApiKey: [] }],
        params: DirectoryParams,
        body: CreateBody,
        response: { 201: CreatedLink },
      },
      // a POST without a body means "all defaults"
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const ttlDays = request.body.ttlDays ?? app.config.setupLinkTtlDays;
      const link = await createSetupLink(app.db, app.config, id, ttlDays);
      return reply.code(201).send({ id: link.id, url: link.url, expiresAt: link.expiresAt.toISOString() });
    },
  );

  app.get(
    "/directories/:id/setup-links",
    {
      schema: {
        tags: ["setup links"],
        summary: "List the directory's setup links (without their secret URLs)",
        security: [{ adminApiKey: [] }],
        params: DirectoryParams,
        response: { 200: Type.Object({ data: Type.Array(LinkSummary) }) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const now = Date.now();
      const links = await listSetupLinks(app.db, id);
      return {
        data: links.map((l) => ({
          id: l.id,
          createdAt: l.createdAt.toISOString(),
          expiresAt: l.expiresAt.toISOString(),
          revokedAt: l.revokedAt?.toISOString() ?? null,
          state: setupLinkState(l, now),
        })),
      };
    },
  );

  app.delete(
    "/directories/:id/setup-links/:linkId",
    {
      schema: {
        tags: ["setup links"],
        summary: "Revoke a setup link; the page then shows that the link was revoked",
        security: [{ adminApiKey: [] }],
        params: LinkParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const { id, linkId } = request.params;
      if (!(await revokeSetupLink(app.db, id, linkId)))
        throw new ApiProblem(404, "setup_link_not_found", "Not Found", "setup link not found in this directory");
      return reply.code(204).send(null);
    },
  );
};
