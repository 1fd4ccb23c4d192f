import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

// SCIM secret tokens: 256 random bits behind a `scim_` prefix that secret scanners recognise.
// Only the SHA-256 is stored; the token itself is shown once.

export const SECRET_TOKEN_PREFIX = "scim_";

export interface IssuedSecretToken {
  token: string;
  hash: string;
  /** First characters, safe to display so an admin can tell tokens apart. */
  displayPrefix: string;
}

export function hashSecretToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function generateSecretToken(): IssuedSecretToken {
  const token = `${SECRET_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { token, hash: hashSecretToken(token), displayPrefix: token.slice(0, SECRET_TOKEN_PREFIX.length + 6) };
}

/** Constant-time comparison of two hex digests. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}

export function looksLikeSecretToken(value: string): boolean {
  return value.startsWith(SECRET_TOKEN_PREFIX) && /^[A-Za-z0-9_-]{20,200}$/.test(value);
}
