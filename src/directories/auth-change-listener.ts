import pg from "pg";
import type { Logger } from "pino";
import type { AttributeMappingCache } from "../attributes/attribute-mapping-cache.js";
import { AUTH_CHANGE_CHANNEL, parseAttributeMappingChange, parseAuthChange } from "./auth-change.js";
import type { SecretTokenVerifier } from "./directory-tokens.js";

// One LISTEN connection per process, on the direct URL (LISTEN is session state: never through a pooler in
// transaction mode). Each notification evicts the matching cached token verifications, so a revocation or a
// directory disable made on any replica is refused here within milliseconds of its commit. When the
// connection drops, notifications may be lost: the whole cache is cleared on reconnect, and the cache's
// short TTL (SecretTokenVerifier.CACHE_MS) bounds staleness while the connection is down. A connection that
// dies silently (no reset: a network partition) is found by a heartbeat query, not hours later by TCP keepalive.

export const LISTENER_APPLICATION_NAME = "scimbridge auth listener";

export interface AuthChangeListenerOptions {
  url: string;
  verifier: Pick<SecretTokenVerifier, "evict">;
  /** Attribute mapping changes (kind "attributes") evict this cache instead of the token cache. */
  attributeMappings?: Pick<AttributeMappingCache, "evict">;
  logger: Pick<Logger, "info" | "warn">;
  /** First reconnect delay; doubles per failed attempt up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** How often the live connection is asked `SELECT 1`, and how long an answer may take before it counts as lost. */
  heartbeatMs?: number;
  heartbeatTimeoutMs?: number;
}

export interface AuthChangeListener {
  /** True while LISTEN is active on a live connection. */
  readonly listening: boolean;
  stop(): Promise<void>;
}

export function startAuthChangeListener(options: AuthChangeListenerOptions): AuthChangeListener {
  const minBackoff = options.minBackoffMs ?? 100;
  // capped at 1 s: one connection attempt a second per process is cheap, and the listener is back soon after Postgres
  const maxBackoff = options.maxBackoffMs ?? 1000;
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 5000;
  let client: pg.Client | undefined;
  let listening = false;
  let stopped = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;
  let pending: Promise<void> = Promise.resolve();

  function scheduleReconnect(): void {
    if (stopped || retry) return;
    const delay = Math.min(maxBackoff, minBackoff * 2 ** Math.min(failures, 16));
    failures += 1;
    retry = setTimeout(() => {
      retry = undefined;
      pending = connect();
    }, delay);
  }

  async function connect(): Promise<void> {
    const c = new pg.Client({
      connectionString: options.url,
      application_name: LISTENER_APPLICATION_NAME,
      keepAlive: true,
      connectionTimeoutMillis: 5000,
    });
    let lost = false;
    let heartbeat: NodeJS.Timeout | undefined;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      clearInterval(heartbeat);
      if (client === c) {
        client = undefined;
        listening = false;
      }
      if (stopped) return;
      options.logger.warn({ err }, "auth change listener lost its database connection; reconnecting");
      void c.end().catch(() => {});
      scheduleReconnect();
    };
    c.on("error", onLost);
    c.on("end", () => onLost());
    c.on("notification", (message) => {
      if (message.channel !== AUTH_CHANGE_CHANNEL) return;
      const mappingChange = parseAttributeMappingChange(message.payload);
      if (mappingChange) options.attributeMappings?.evict(mappingChange.directoryId);
      else options.verifier.evict(parseAuthChange(message.payload) ?? undefined);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${AUTH_CHANGE_CHANNEL}`);
    } catch (err) {
      onLost(err as Error);
      return;
    }
    if (stopped) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    listening = true;
    heartbeat = setInterval(() => {
      const silent = setTimeout(() => onLost(new Error(`no answer to a heartbeat within ${heartbeatTimeoutMs} ms`)), heartbeatTimeoutMs);
      c.query("SELECT 1").then(
        () => clearTimeout(silent),
        (err: Error) => {
          clearTimeout(silent);
          onLost(err);
        },
      );
    }, heartbeatMs);
    heartbeat.unref();
    // changes committed while no connection listened were missed: forget every cached verification
    options.verifier.evict();
    options.attributeMappings?.evict();
    if (failures > 0) options.logger.info("auth change listener reconnected; token cache cleared");
    failures = 0;
  }

  pending = connect();
  return {
    get listening() {
      return listening;
    },
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      retry = undefined;
      listening = false;
      await pending;
      const c = client;
      client = undefined;
      // a connection that went silent never confirms the end: do not let shutdown wait on it
      await Promise.race([c?.end().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    },
  };
}
