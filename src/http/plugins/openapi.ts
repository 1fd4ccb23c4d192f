import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import type { TSchema } from "typebox";
import { ADMIN_COMPONENTS } from "../admin/schemas.js";

// OpenAPI 3.1 at /openapi.json and Swagger UI at /docs, generated from the routes' TypeBox schemas.
// Schemas registered with addSchema become named components (their $id), referenced as `$ref: "<Id>#"`.

declare module "fastify" {
  interface FastifyInstance {
    /** Every route registered after the OpenAPI plugin, so a test can check each one is documented. */
    registeredRoutes: RegisteredRoute[];
  }
}

export interface RegisteredRoute {
  method: string;
  url: string;
  /** Hidden from the document on purpose (the document itself, Swagger UI assets). */
  hidden: boolean;
}

export async function registerOpenApi(app: FastifyInstance, components: TSchema[] = ADMIN_COMPONENTS): Promise<void> {
  const routes: RegisteredRoute[] = [];
  app.decorate("registeredRoutes", routes);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) {
      routes.push({ method, url: route.url, hidden: Boolean((route.schema as { hide?: boolean } | undefined)?.hide) });
    }
  });
  for (const schema of components) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "scimbridge",
        version: "0.1.0",
        description: "SCIM 2.0 directory sync: SCIM endpoints for identity providers, and an admin API for the app.",
      },
      servers: [{ url: app.config.publicUrl }],
      tags: [
        { name: "directories", description: "Directories and their SCIM secret tokens" },
        { name: "users", description: "Users synced from the IdP, as the app wants them" },
        { name: "groups", description: "Groups synced from the IdP" },
        { name: "attributes", description: "The app's declared user attributes and each directory's mapping of them to SCIM paths" },
        { name: "health", description: "Liveness and readiness" },
      ],
      components: {
        securitySchemes: {
          adminApiKey: { type: "http", scheme: "bearer", description: "ADMIN_API_KEY" },
          scimToken: { type: "http", scheme: "bearer", description: "A directory's SCIM secret token" },
        },
      },
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`),
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
