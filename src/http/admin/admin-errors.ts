import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { AttributeNotFound, InvalidAttribute } from "../../attributes/app-attribute-service.js";
import { InvalidScimPath } from "../../attributes/attribute-mapping-service.js";
import { DirectoryNotFound } from "../../directories/directory-service.js";
import { TokenLimitReached, TokenNotFound } from "../../directories/directory-tokens.js";
import { InvalidWebhook } from "../../directories/directory-webhook.js";
import { InvalidCursor } from "../../pagination/cursor.js";
import { ScimError } from "../../scim/errors.js";
import { renderError } from "../error-handler.js";
import { ApiProblem } from "../problem.js";

// Domain errors of the admin API become problems here, then the shared handler renders them.
// Codes are stable (documented in docs/admin-api.md).

export function adminProblemFor(error: Error): Error {
  if (error instanceof DirectoryNotFound) return new ApiProblem(404, "directory_not_found", "Not Found", "directory not found");
  if (error instanceof TokenNotFound) return new ApiProblem(404, "token_not_found", "Not Found", "token not found in this directory");
  if (error instanceof TokenLimitReached) return new ApiProblem(409, "token_limit_reached", "Conflict", error.message);
  if (error instanceof InvalidWebhook) return new ApiProblem(400, "invalid_webhook", "Bad Request", error.message);
  if (error instanceof AttributeNotFound) return new ApiProblem(404, "attribute_not_found", "Not Found", error.message);
  if (error instanceof InvalidAttribute) return new ApiProblem(400, "invalid_attribute", "Bad Request", error.message);
  if (error instanceof InvalidScimPath) return new ApiProblem(400, "invalid_scim_path", "Bad Request", error.message);
  if (error instanceof InvalidCursor) return new ApiProblem(400, "invalid_cursor", "Bad Request", "cursor is not valid for this list");
  if (error instanceof ScimError && error.scimType === "invalidFilter")
    return new ApiProblem(400, "invalid_filter", "Bad Request", error.detail);
  return error;
}

export function renderAdminError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  return renderError(adminProblemFor(error), request, reply);
}
