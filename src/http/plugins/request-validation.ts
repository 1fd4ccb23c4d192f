import AjvCompiler from "@fastify/ajv-compiler";
import type { FastifyInstance, FastifySchemaCompiler } from "fastify";

// How requests are validated against their route schemas (ajv, through Fastify). Query strings, path
// parameters and headers are text: they are coerced to their schema's types ("array": `?types=a` is a
// one-item list). The app's whole ajv configuration is these options (app.ts).

export const AJV_OPTIONS = { removeAdditional: false, coerceTypes: "array", useDefaults: true } as const;

/**
 * In the calling plugin's routes, JSON bodies are validated as sent, without type coercion: with it, a
 * null became "" for a string, false for a boolean, 0 for an integer, and "" became null for a nullable
 * string, so `{"disabled": null}` enabled a directory and `{"tenant": ""}` was stored as no tenant instead
 * of a 400. The admin API uses it; SCIM routes keep the app-wide coercion (a SearchRequest's "count": "10" pages).
 */
export function validateJsonBodiesAsSent(app: FastifyInstance): void {
  const build = AjvCompiler();
  const schemas = app.getSchemas() as Parameters<typeof build>[0];
  const coercing = build(schemas, { customOptions: { ...AJV_OPTIONS } });
  const asSent = build(schemas, { customOptions: { ...AJV_OPTIONS, coerceTypes: false } });
  const compile: FastifySchemaCompiler<AjvCompiler.RouteDefinition["schema"]> = (route) =>
    (route.httpPart === "body" ? asSent : coercing)(route);
  app.setValidatorCompiler(compile);
}
