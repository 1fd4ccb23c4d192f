import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { isDatabaseUnavailable, isStatementTimeout, isUnstorableText } from "../db/db-errors.js";
import { ScimError, scimErrorBody } from "../scim/errors.js";
import { sendConsoleErrorPage } from "./console/console-error-page.js";
import { ApiProblem, PROBLEM_CONTENT_TYPE, problemBody } from "./problem.js";

export const SCIM_CONTENT_TYPE = "application/scim+json; charset=utf-8";

export function isScimRequest(request: FastifyRequest): boolean {
  return request.url.startsWith("/scim/");
}

/** The operator console's pages: errors there are HTML pages. */
export function isConsoleRequest(request: FastifyRequest): boolean {
  return /^\/console(?:[/?]|$)/.test(request.url);
}

interface Rendered {
  status: number;
  scimType?: string;
  code: string;
  title: string;
  detail: string;
  headers?: Record<string, string>;
}

function classify(error: FastifyError | Error): Rendered {
  if (error instanceof ScimError) {
    return {
      status: error.status,
      scimType: error.scimType,
      code: error.scimType ?? codeFor(error.status),
      title: titleFor(error.status),
      detail: error.detail,
    };
  }
  if (error instanceof ApiProblem) {
    return { status: error.status, code: error.code, title: error.title, detail: error.detail ?? error.title };
  }
  const fe = error as FastifyError;
  if (fe.validation) {
    return { status: 400, scimType: "invalidValue", code: "validation_failed", title: "Bad Request", detail: fe.message };
  }
  switch (fe.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, code: "payload_too_large", title: "Payload Too Large", detail: "request body exceeds the size limit" };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return {
        status: 415,
        scimType: "invalidSyntax",
        code: "unsupported_media_type",
        title: "Unsupported Media Type",
        detail: "use Content-Type application/scim+json or application/json",
      };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { status: 400, scimType: "invalidSyntax", code: "invalid_json", title: "Bad Request", detail: "request body is empty" };
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return { status: 400, scimType: "invalidSyntax", code: "bad_request", title: "Bad Request", detail: fe.message };
  }
  if (fe.statusCode === 400 && (error instanceof SyntaxError || fe.code === "FST_ERR_CTP_INVALID_JSON_BODY")) {
    return {
      status: 400,
      scimType: "invalidSyntax",
      code: "invalid_json",
      title: "Bad Request",
      detail: `request body is not valid JSON: ${fe.message}`,
    };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      status: 503,
      code: "database_unavailable",
      title: "Service Unavailable",
      detail: "the database is unavailable; retry later",
      headers: { "retry-after": "5" },
    };
  }
  if (isStatementTimeout(error)) {
    return {
      status: 503,
      code: "database_timeout",
      title: "Service Unavailable",
      detail: "the database did not answer in time; retry later",
      headers: { "retry-after": "5" },
    };
  }
  if (isUnstorableText(error)) {
    return {
      status: 400,
      scimType: "invalidValue",
      code: "invalid_text",
      title: "Bad Request",
      detail: "text values must not contain NUL (\\u0000) characters",
    };
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, code: codeFor(fe.statusCode), title: titleFor(fe.statusCode), detail: fe.message };
  }
  return { status: 500, code: "internal_error", title: "Internal Server Error", detail: "internal server error" };
}

function codeFor(status: number): string {
  return (
    {
      400: "bad_request",
      401: "unauthorized",
      403: "forbidden",
      404: "not_found",
      409: "conflict",
      412: "precondition_failed",
      413: "payload_too_large",
      429: "rate_limited",
      503: "unavailable",
    }[status] ?? (status >= 500 ? "internal_error" : "bad_request")
  );
}

function titleFor(status: number): string {
  return (
    {
      400: "Bad Request",
      401: "Unauthorized",
      403: "Forbidden",
      404: "Not Found",
      409: "Conflict",
      412: "Precondition Failed",
      413: "Payload Too Large",
      429: "Too Many Requests",
      503: "Service Unavailable",
    }[status] ?? (status >= 500 ? "Internal Server Error" : "Bad Request")
  );
}

/** What went wrong on a request that failed, for the SCIM request log and metrics (read in onResponse). */
export const requestErrors = new WeakMap<FastifyRequest, { status: number; scimType?: string; detail: string }>();

/** The one place errors become responses: SCIM error bodies under /scim, HTML pages in the console, problem+json elsewhere. */
export function renderError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  const r = classify(error);
  requestErrors.set(request, { status: r.status, scimType: r.scimType, detail: r.detail });
  if (r.status >= 500) request.log.error({ err: error, status: r.status }, "request failed");
  else request.log.info({ status: r.status, scimType: r.scimType, code: r.code, detail: r.detail }, "request rejected");
  if (r.headers) reply.headers(r.headers);
  if (isScimRequest(request)) {
    return reply
      .code(r.status)
      .type(SCIM_CONTENT_TYPE)
      .send(scimErrorBody(r.status, r.detail, r.scimType));
  }
  if (isConsoleRequest(request)) return sendConsoleErrorPage(reply, r.status, r.title, r.detail);
  return reply
    .code(r.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problemBody(r.status, r.code, r.title, r.detail, request.url.split("?")[0]));
}

export function renderNotFound(request: FastifyRequest, reply: FastifyReply) {
  const detail = `no route for ${request.method} ${request.url.split("?")[0]}`;
  if (isScimRequest(request)) return reply.code(404).type(SCIM_CONTENT_TYPE).send(scimErrorBody(404, detail));
  if (isConsoleRequest(request)) return sendConsoleErrorPage(reply, 404, "Not Found", "There is no console page at this address.");
  return reply
    .code(404)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problemBody(404, "not_found", "Not Found", detail));
}
