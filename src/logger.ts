import type { DestinationStream, Logger } from "pino";
import { pino } from "pino";

// Secrets never reach the log: auth headers, tokens and webhook secrets are redacted by path,
// and setup-link tokens are cut out of logged URLs.

export const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "authorization",
  "*.authorization",
  "secretToken",
  "*.secretToken",
  "secret",
  "*.secret",
  "token",
  "*.token",
  "password",
  "*.password",
];

/** Removes secrets that can appear inside a URL path (setup links). */
export function redactUrl(url: string): string {
  return url.replace(/\/setup\/[^/?#]+/g, "/setup/[redacted]");
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      serializers: {
        req(req: { method: string; url: string; id?: string; ip?: string; headers?: Record<string, unknown> }) {
          return {
            method: req.method,
            url: redactUrl(req.url),
            remoteAddress: req.ip,
            clientRequestId: req.headers?.["client-request-id"],
          };
        },
      },
    },
    destination,
  );
}
