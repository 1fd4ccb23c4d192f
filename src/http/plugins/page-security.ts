import helmet from "@fastify/helmet";
import type { FastifyInstance } from "fastify";

// The policy of the server-rendered pages that carry credentials (the setup page, the operator console):
// only their own inline style and script, by nonce; nothing loaded from elsewhere; forms post only here;
// never framed; no referrer (the setup page's URL is itself the credential); never cached.
// Registered inside each page plugin, so the API docs keep their own policy (security-headers.ts).

export async function registerPageSecurity(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: [],
        styleSrc: [],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    referrerPolicy: { policy: "no-referrer" },
  });
  app.addHook("onSend", async (_request, reply) => {
    reply.header("cache-control", "no-store");
  });
}
