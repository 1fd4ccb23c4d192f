import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type AuthenticatedDirectory, SecretTokenVerifier } from "../../directories/directory-tokens.js";
import { ScimError } from "../../scim/errors.js";
import { bearerOf, tooManyAuthFailures } from "../plugins/rate-limit.js";

// Bearer-token authentication of SCIM requests. One SecretTokenVerifier per app (its cache is
// what the admin API evicts on revoke), decorated as app.secretTokens.

declare module "fastify" {
  interface FastifyInstance {
    secretTokens: SecretTokenVerifier;
  }
  interface FastifyRequest {
    /** The directory the bearer token belongs to; set by the SCIM auth preHandler. */
    scimDirectory: AuthenticatedDirectory;
  }
}

export function decorateSecretTokens(app: FastifyInstance): void {
  app.decorate("secretTokens", new SecretTokenVerifier(app.db));
  app.decorateRequest("scimDirectory", null as unknown as AuthenticatedDirectory);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The same answer for every failure, so a caller learns nothing about which part was wrong. */
function unauthorized(reply: FastifyReply): ScimError {
  reply.header("www-authenticate", 'Bearer realm="scim"');
  return new ScimError(401, undefined, "invalid or missing bearer token");
}

/** Counts the failure per IP and directory (see plugins/rate-limit.ts); over the limit it becomes a 429. Only failures count. */
async function failed(request: FastifyRequest, reply: FastifyReply, directoryId: string | undefined): Promise<Error> {
  const retryAfter = await request.server.authFailures.recordFailure(request.ip, directoryId);
  return retryAfter === null ? unauthorized(reply) : tooManyAuthFailures(reply, retryAfter);
}

export async function authenticateScimRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  // the credential is checked first: a valid token passes whatever others' failures from this IP (no lock-out)
  const { directoryId } = request.params as { directoryId?: string };
  const bearer = bearerOf(request);
  const validDirectoryId = directoryId && UUID.test(directoryId) ? directoryId.toLowerCase() : undefined;
  if (!bearer || !validDirectoryId) throw await failed(request, reply, validDirectoryId);
  const auth = await request.server.secretTokens.verify(validDirectoryId, bearer);
  if (!auth) throw await failed(request, reply, validDirectoryId);
  if (auth.disabled) throw new ScimError(403, undefined, "this directory is disabled");
  request.scimDirectory = auth;
}
