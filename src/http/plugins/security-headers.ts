import type { FastifyInstance } from "fastify";

// Browser hardening for every response, and a strict policy for HTML pages that do not bring their own
// (the API docs at /docs; the setup page sets a nonce-based one with @fastify/helmet in src/http/setup).
// No CORS: no Access-Control-* header is ever sent, so other origins cannot call the APIs from a browser.

/** Swagger UI loads only its own scripts; its styles are inline. */
const HTML_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export function registerSecurityHeaders(app: FastifyInstance): void {
  const https = app.config.publicUrl.startsWith("https:");
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("x-content-type-options", "nosniff");
    if (https && !reply.hasHeader("strict-transport-security")) reply.header("strict-transport-security", "max-age=31536000");
    const type = String(reply.getHeader("content-type") ?? "");
    if (type.startsWith("text/html") && !reply.hasHeader("content-security-policy")) {
      reply.header("content-security-policy", HTML_CSP);
      reply.header("x-frame-options", "DENY");
      reply.header("referrer-policy", "no-referrer");
      reply.header("cross-origin-opener-policy", "same-origin");
    }
    return payload;
  });
}
