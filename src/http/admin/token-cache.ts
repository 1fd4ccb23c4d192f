import type { FastifyInstance } from "fastify";
import type { SecretTokenVerifier } from "../../directories/directory-tokens.js";

/** Drops cached SCIM token verifications so a revoke/disable/delete takes effect at once in this process. */
export function evictSecretTokens(app: FastifyInstance, filter: { directoryId?: string; tokenId?: string }): void {
  // app.secretTokens is decorated by the SCIM routes; absent when they are not registered
  const verifier = (app as FastifyInstance & { secretTokens?: SecretTokenVerifier }).secretTokens;
  verifier?.evict(filter);
}
