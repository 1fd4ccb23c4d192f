import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { ApiProblem } from "./problem.js";
import { bearerOf, tooManyAuthFailures } from "./plugins/rate-limit.js";

// Admin API authentication: `Authorization: Bearer <ADMIN_API_KEY>`, any of the configured keys
// (several during a rotation). Keys are compared as SHA-256 digests in constant time.

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** True when `presented` equals one of `keys`; every key is compared, so timing does not reveal which. */
export function isAdminKey(presented: string, keys: readonly string[]): boolean {
  const p = digest(presented);
  let ok = false;
  for (const key of keys) if (timingSafeEqual(p, digest(key))) ok = true;
  return ok;
}

/** onRequest hook for everything under /api/v1. A valid key always passes; only failures are counted and limited. */
export async function requireAdminKey(this: unknown, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const app = request.server;
  const bearer = bearerOf(request);
  if (bearer !== undefined && isAdminKey(bearer, app.config.adminApiKeys)) return;
  const retry = await app.authFailures.recordFailure(request.ip);
  if (retry !== null) throw tooManyAuthFailures(reply, retry);
  reply.header("www-authenticate", 'Bearer realm="scimbridge-admin"');
  throw new ApiProblem(
    401,
    "unauthorized",
    "Unauthorized",
    bearer === undefined ? "missing Authorization: Bearer <admin API key>" : "the admin API key is not valid",
  );
}
