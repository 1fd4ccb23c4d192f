import type { FastifyInstance, FastifyRequest } from "fastify";

export const JSON_CONTENT_TYPES = ["application/json", "application/scim+json"];

const utf8 = new TextDecoder("utf-8", { fatal: true });

type Done = (err: Error | null, body?: unknown) => void;

/**
 * The JSON body parser (parseAs "buffer"): bytes that are not UTF-8 are refused with 400 instead of being
 * stored as U+FFFD; then Fastify's JSON parser with prototype poisoning rejected.
 * @param emptyDelete some clients send Content-Type on a bodiless DELETE; that is not a malformed request.
 */
export function jsonBodyParser(app: FastifyInstance, options: { emptyDelete?: boolean } = {}) {
  const parseJson = app.getDefaultJsonParser("error", "error");
  return (request: FastifyRequest, body: string | Buffer, done: Done): void => {
    if (options.emptyDelete && request.method === "DELETE" && body.length === 0) {
      done(null, undefined);
      return;
    }
    let text: string;
    try {
      text = typeof body === "string" ? body : utf8.decode(body);
    } catch {
      // rendered like any malformed JSON body: 400 invalidSyntax / invalid_json
      done(Object.assign(new SyntaxError("request body is not valid UTF-8"), { statusCode: 400 }));
      return;
    }
    parseJson(request, text, done);
  };
}

/**
 * JSON bodies: application/json and application/scim+json (what SCIM clients send). Other content types
 * (text/plain included) have no parser, so they are 415.
 */
export function registerScimContentType(app: FastifyInstance): void {
  app.removeContentTypeParser(["application/json", "text/plain"]);
  app.addContentTypeParser(JSON_CONTENT_TYPES, { parseAs: "buffer" }, jsonBodyParser(app));
}
