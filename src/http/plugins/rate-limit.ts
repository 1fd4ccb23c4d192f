import { createHash } from "node:crypto";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { countAuthFailures } from "../../auth-failures/auth-failure-store.js";
import type { SqlRunner } from "../../db/database.js";
import { ApiProblem } from "../problem.js";

// Two limits (bench/README.md, "Shared limits", has the measurement behind where each is kept):
// - failed authentications (admin and SCIM) per IP and per directory, in fixed one-minute windows, shared by
//   every replica through Postgres (auth_failures): only failures pay the round trip;
// - the admin API per caller (key, else IP), in process memory: every admin request would pay a shared
//   counter's round trip, so with N replicas behind a load balancer the effective limit is up to N times
//   ADMIN_RATE_LIMIT_PER_MINUTE (docs/OPERATIONS.md, "Running several replicas").

declare module "fastify" {
  interface FastifyInstance {
    authFailures: SharedAuthFailureLimiter;
  }
}

const WINDOW_MS = 60_000;

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Counts failed authentications in this process's memory (the shared limiter's fallback while the database
 * cannot be reached). Credentials are always checked first and only failures are counted or
 * refused: past the limit (per IP or per directory) a failure answers 429 instead of 401, while a valid token
 * or admin key always passes, so no one's failures (a shared NAT, a proxy without TRUST_PROXY, an attacker)
 * can lock a valid credential out. Guessing is prevented by the tokens' 256 random bits, not by this limiter.
 */
export class AuthFailureLimiter {
  private windows = new Map<string, Window>();
  private sweptAt = 0;

  constructor(
    readonly limitPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a failure; returns the Retry-After seconds when the IP or directory is now over the limit, else null. */
  recordFailure(ip: string, directoryId?: string): number | null {
    const ipWait = this.bump(`ip:${ip}`);
    const dirWait = directoryId ? this.bump(`dir:${directoryId}`) : null;
    if (ipWait === null && dirWait === null) return null;
    return Math.max(ipWait ?? 0, dirWait ?? 0);
  }

  private bump(key: string): number | null {
    const now = this.now();
    // at most once a second: with more live keys than this (many IPs failing at once) every call would scan them all
    if (this.windows.size > 10_000 && now - this.sweptAt > 1000) this.sweep(now);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + WINDOW_MS };
      this.windows.set(key, w);
    }
    w.count += 1;
    return w.count > this.limitPerMinute ? Math.max(1, Math.ceil((w.resetAt - now) / 1000)) : null;
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
  }
}

/** The 429 for too many failed authentications; rendered as SCIM error under /scim, problem+json elsewhere. */
export function tooManyAuthFailures(reply: FastifyReply, retryAfterSeconds: number): ApiProblem {
  reply.header("retry-after", String(retryAfterSeconds));
  return new ApiProblem(
    429,
    "too_many_auth_failures",
    "Too Many Requests",
    `too many failed authentications; retry after ${retryAfterSeconds} s`,
  );
}

/**
 * Failed authentications counted in Postgres, so the limit holds across every replica. The same rules as
 * AuthFailureLimiter (only failures count; a valid credential always passes). When the database cannot be
 * reached the failure is counted in this process instead: the limit keeps holding, per replica.
 */
export class SharedAuthFailureLimiter {
  private readonly local: AuthFailureLimiter;

  constructor(
    private readonly db: SqlRunner,
    readonly limitPerMinute: number,
    private readonly logger: Pick<Logger, "warn">,
  ) {
    this.local = new AuthFailureLimiter(limitPerMinute);
  }

  /** Records a failure; resolves to the Retry-After seconds when the IP or directory is now over the limit, else null. */
  async recordFailure(ip: string, directoryId?: string): Promise<number | null> {
    const keys = directoryId ? [`ip:${ip}`, `dir:${directoryId}`] : [`ip:${ip}`];
    let windows: { count: number; retryAfter: number }[];
    try {
      windows = await countAuthFailures(this.db, keys, WINDOW_MS);
    } catch (err) {
      this.logger.warn({ err }, "failed authentication counted in this process only: the shared counter is unreachable");
      return this.local.recordFailure(ip, directoryId);
    }
    const over = windows.filter((w) => w.count > this.limitPerMinute);
    return over.length === 0 ? null : Math.max(...over.map((w) => w.retryAfter));
  }
}

/** Decorates app.authFailures (one limiter per app, shared by the admin and SCIM auth hooks). */
export function registerAuthFailureLimiter(app: FastifyInstance): void {
  app.decorate(
    "authFailures",
    new SharedAuthFailureLimiter(app.db, app.config.rateLimit.authFailuresPerMinute, app.log as unknown as Logger),
  );
}

export function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** Admin API request limit per caller: the (hashed) bearer key when present, else the client IP. */
export async function registerAdminRateLimit(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    max: app.config.rateLimit.adminPerMinute,
    timeWindow: WINDOW_MS,
    keyGenerator: (request) => {
      const bearer = bearerOf(request);
      return bearer ? `key:${createHash("sha256").update(bearer).digest("hex")}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) =>
      new ApiProblem(
        429,
        "rate_limited",
        "Too Many Requests",
        `rate limit of ${context.max} requests per minute exceeded; retry after ${context.after}`,
      ),
  });
}
