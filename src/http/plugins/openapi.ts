import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "scimbridge",
        version: "0.1.0",
        description: "SCIM 2.0 directory sync: SCIM endpoints for identity providers, and an admin API for the app.",
      },
      servers: [{ url: app.config.publicUrl }],
      components: {
        securitySchemes: {
          adminApiKey: { type: "http", scheme: "bearer", description: "ADMIN_API_KEY" },
          scimToken: { type: "http", scheme: "bearer", description: "A directory's SCIM secret token" },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
