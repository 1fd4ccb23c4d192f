import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isRowDataError } from "../db/db-errors.js";
import { requestErrors } from "../http/error-handler.js";
import { loggedQuery, loggedRequestBody } from "./request-body-policy.js";
import { RequestLogWriter } from "./request-log-writer.js";
import { scimRequestTarget } from "./scim-request-target.js";

// Records every request under /scim/v2/{directoryId} in the directory's request log, including
// unauthenticated ones (a 401 there is what "Azure says unauthorized" looks like), each marked whether it
// carried a valid token: only those are what the IdP did (provisioning-status.ts); the rest is counted as noise. Headers are never
// kept, so the Authorization header cannot leak. Runs in onResponse: the client already has its answer.

declare module "fastify" {
  interface FastifyInstance {
    requestLog: RequestLogWriter;
    recordRefusedUrl(request: FastifyRequest, reply: FastifyReply): void;
  }
}

export function registerScimRequestLog(app: FastifyInstance): void {
  const writer = new RequestLogWriter(app.db, {
    onError: (err, lost) => {
      // a refused value may be echoed in Postgres' message: log the code and the directory, not the message
      if (lost.length === 1 && isRowDataError(err)) {
        app.log.warn(
          { code: (err as { code?: unknown }).code, directoryId: lost[0]!.directoryId, rows: 1 },
          "dropped a SCIM request log row Postgres refused",
        );
      } else app.log.warn({ err, rows: lost.length }, "could not write SCIM request log rows");
    },
  });
  app.decorate("requestLog", writer);
  const policy = app.config.requestLog.body;

  app.addHook("onResponse", async (request, reply) => recordScimRequest(request, reply));
  // A URL the router refuses (bad percent-encoding, an overlong id) is answered by frameworkErrors,
  // outside every hook; it is recorded when its response has gone out, like any other request.
  app.decorate("recordRefusedUrl", (request: FastifyRequest, reply: FastifyReply) => {
    reply.raw.once("finish", () => recordScimRequest(request, reply));
  });

  function recordScimRequest(request: FastifyRequest, reply: FastifyReply): void {
    const target = scimRequestTarget(request.url);
    if (!target) return;
    const error = requestErrors.get(request);
    const clientRequestId = request.headers["client-request-id"];
    writer.add({
      directoryId: target.directoryId,
      at: new Date(Date.now() - reply.elapsedTime),
      method: request.method,
      path: target.path.slice(0, 1024),
      query: loggedQuery(target.query, policy),
      status: reply.statusCode,
      scimType: error?.scimType ?? null,
      detail: error?.detail?.slice(0, 2048) ?? null,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
      clientRequestId: typeof clientRequestId === "string" ? clientRequestId.slice(0, 128) : null,
      body: loggedRequestBody(request.body, policy, target.path),
      // set by the SCIM auth preHandler only when the bearer token was valid for this directory
      authenticated: request.scimDirectory !== null && request.scimDirectory !== undefined,
    });
  }
  // onClose hooks run last-registered first, so this flush happens before the database closes
  app.addHook("onClose", async () => writer.close());
}
