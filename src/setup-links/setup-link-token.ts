import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

// A setup link token is `<link id>.<signature>`: the id names the setup_links row (expiry, revocation),
// the HMAC proves we issued it, so a guessed or altered token is rejected without touching the database.
// The HMAC key is derived from SECRETS_KEY, so rotating that key invalidates every link.

const UUID_BYTES = 16;
const SIGNATURE_BYTES = 32;

export function setupLinkKey(secretsKey: string | undefined): Buffer {
  if (!secretsKey) throw new Error("SECRETS_KEY is required to sign setup links");
  const ikm = Buffer.from(secretsKey, "base64");
  return Buffer.from(hkdfSync("sha256", ikm, Buffer.alloc(0), "scimbridge setup-link v1", 32));
}

function sign(key: Buffer, idBytes: Buffer): Buffer {
  return createHmac("sha256", key).update("setup-link:").update(idBytes).digest();
}

function uuidToBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ""), "hex");
}

function bytesToUuid(bytes: Buffer): string {
  const h = bytes.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function signSetupLinkToken(key: Buffer, linkId: string): string {
  const id = uuidToBytes(linkId);
  return `${id.toString("base64url")}.${sign(key, id).toString("base64url")}`;
}

/**
 * The link id inside a token whose signature is valid, else null (forged, altered or malformed).
 * Only the one spelling we issue is accepted: base64url's last character carries spare bits (4 in the id,
 * 2 in the signature), so 64 strings would decode to the same bytes; a token that does not re-encode to
 * itself is refused like any unknown one.
 */
export function verifySetupLinkToken(key: Buffer, token: string): string | null {
  const match = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return null;
  const id = Buffer.from(match[1]!, "base64url");
  const signature = Buffer.from(match[2]!, "base64url");
  if (id.length !== UUID_BYTES || signature.length !== SIGNATURE_BYTES) return null;
  if (id.toString("base64url") !== match[1] || signature.toString("base64url") !== match[2]) return null;
  if (!timingSafeEqual(signature, sign(key, id))) return null;
  return bytesToUuid(id);
}
