import type { FastifyInstance } from "fastify";

// Draining: the first phase of a graceful shutdown (server.ts). /readyz answers 503 "draining" at once, so a
// load balancer's health check takes the replica out of rotation, while requests are still served for
// SHUTDOWN_DRAIN_MS; their responses carry `connection: close` so keep-alive clients reconnect elsewhere.
// Then app.close() stops accepting and lets in-flight requests finish.

declare module "fastify" {
  interface FastifyInstance {
    drain: ShutdownDrain;
  }
}

export class ShutdownDrain {
  private startedAt: number | undefined;

  get draining(): boolean {
    return this.startedAt !== undefined;
  }

  /** Marks the app draining (idempotent). */
  begin(): void {
    this.startedAt ??= Date.now();
  }
}

export function decorateShutdownDrain(app: FastifyInstance): void {
  app.decorate("drain", new ShutdownDrain());
}

/** Begins draining, then resolves after `drainMs` (at once for 0). */
export async function drainFor(app: FastifyInstance, drainMs: number): Promise<void> {
  app.drain.begin();
  if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
}
