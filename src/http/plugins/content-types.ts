import type { FastifyInstance } from "fastify";

/** SCIM clients send application/scim+json; parse it exactly like JSON (prototype poisoning rejected). */
export function registerScimContentType(app: FastifyInstance): void {
  app.addContentTypeParser(
    ["application/scim+json"],
    { parseAs: "string" },
    app.getDefaultJsonParser("error", "error"),
  );
}
