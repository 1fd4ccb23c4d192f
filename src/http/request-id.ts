import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

// Entra sends `client-request-id`; other clients `x-request-id`. Honour either when it is a safe token,
// so support can match our log lines to the IdP's; anything else (injection attempts) gets a fresh id.

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(req: IncomingMessage): string {
  for (const name of ["client-request-id", "x-request-id"]) {
    const value = req.headers[name];
    if (typeof value === "string" && SAFE_ID.test(value)) return value;
  }
  return randomUUID();
}
