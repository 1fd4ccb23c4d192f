import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type AuthenticatedDirectory, SecretTokenVerifier } from "../../directories/directory-tokens.js";
import { ScimError } from "../../scim/errors.js";

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

export async function authenticateScimRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const { directoryId } = request.params as { directoryId?: string };
  const header = request.headers.authorization;
  const match = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match || !directoryId || !UUID.test(directoryId)) throw unauthorized(reply);
  const auth = await request.server.secretTokens.verify(directoryId.toLowerCase(), match[1]!);
  if (!auth) throw unauthorized(reply);
  if (auth.disabled) throw new ScimError(403, undefined, "this directory is disabled");
  request.scimDirectory = auth;
}
