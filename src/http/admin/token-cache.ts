import type { FastifyInstance } from "fastify";

/** Drops cached SCIM token verifications so a revoke/disable/delete takes effect at once in this process. */
export function evictSecretTokens(app: FastifyInstance, filter: { directoryId?: string; tokenId?: string }): void {
  app.secretTokens.evict(filter);
}
