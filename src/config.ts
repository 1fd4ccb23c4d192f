// Typed environment. Every variable is documented in .env.example and README ("Configuration").
// Invalid values fail fast with one line that names the variable.

export type MetricsMode = "off" | "open" | "bearer";
export type RequestLogBodyPolicy = "none" | "redacted" | "full";

export interface Config {
  /** Postgres connection string; undefined means "start the embedded PostgreSQL in dataDir". */
  databaseUrl: string | undefined;
  /**
   * A direct (non-pooled) connection for what needs a session: migrations (advisory lock) and the LISTEN
   * connection. Defaults to databaseUrl; set it when DATABASE_URL points at a pooler such as PgBouncer.
   */
  databaseDirectUrl: string | undefined;
  port: number;
  host: string;
  /** Base for Tenant URLs and setup links, without trailing slash. */
  publicUrl: string;
  /** Accepted admin API bearer keys (rotation: several at once). Empty until resolved at start. */
  adminApiKeys: string[];
  logLevel: string;
  dataDir: string;
  /** The embedded database (DATABASE_URL unset): where its server programs are, and where root keeps them. */
  embeddedPostgres: { binaries: string | undefined; rootDir: string | undefined };
  production: boolean;
  /** Fastify trustProxy: false, true, or the proxies' addresses/CIDRs whose X-Forwarded-For is believed. */
  trustProxy: boolean | string[];
  /** 32-byte key (base64) that encrypts webhook secrets at rest; generated into dataDir if unset. */
  secretsKey: string | undefined;
  maxTokensPerDirectory: number;
  /** Lifetime of new SCIM secret tokens in days; 0 = no expiry. */
  tokenTtlDays: number;
  scim: {
    maxResults: number;
    maxBodyBytes: number;
    bulkMaxOperations: number;
    bulkMaxPayloadBytes: number;
    patchMaxOperations: number;
    /** Most members one request may add/remove/replace. */
    maxMembersPerRequest: number;
    /** Most member values one Groups response carries (list pages are cut to fit; see docs/OPERATIONS.md). */
    listMaxMembers: number;
    /** Largest stored User or Group resource (JSON bytes). */
    maxResourceBytes: number;
  };
  events: { retentionDays: number };
  webhooks: {
    workerEnabled: boolean;
    globalUrl: string | undefined;
    globalSecret: string | undefined;
    timeoutMs: number;
    /** Delay before attempt n+1, in seconds; after the last one a delivery is dead-lettered. */
    retrySchedule: number[];
    allowPrivateTargets: boolean;
    /** How long a worker owns a stream it claimed; another instance takes it over after that (crash). */
    leaseMs: number;
    /** Idle poll interval of the delivery worker. */
    pollMs: number;
    /** Streams (directory x endpoint) one worker instance delivers to at once. */
    concurrency: number;
  };
  metrics: { mode: MetricsMode; token: string | undefined };
  setupLinkTtlDays: number;
  /** Stored bytes of the users on one admin API page (fewer rows, with a cursor, past it). */
  adminPageMaxBytes: number;
  requestLog: { retentionDays: number; maxRowsPerDirectory: number; body: RequestLogBodyPolicy };
  rateLimit: { adminPerMinute: number; authFailuresPerMinute: number };
  dbPoolSize: number;
  statementTimeoutMs: number;
  /** Named prepared statements on the data plane; off behind PgBouncer < 1.21 in transaction mode. */
  dbPreparedStatements: boolean;
  /** After SIGTERM: how long /readyz answers 503 "draining" while requests are still served, before the listener closes. */
  shutdownDrainMs: number;
  /** Operator console sessions: idle minutes before a session ends (sliding, capped at 12 hours). */
  consoleSessionMinutes: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

function int(env: Env, name: string, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], def: T): T {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (!(values as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${values.join(", ")}, got "${raw}"`);
  }
  return raw as T;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, "is not a valid URL");
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(" or ")}, got ${parsed.protocol}`);
  }
  return raw;
}

/** TRUST_PROXY: "false" (default), "true", or a comma-separated list of proxy addresses/CIDRs. */
function trustProxy(env: Env): boolean | string[] {
  const raw = str(env, "TRUST_PROXY");
  if (raw === undefined || /^(0|false|no|off)$/i.test(raw)) return false;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  const list = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list.every((a) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(a))) {
    throw new ConfigError("TRUST_PROXY", `must be true, false or a comma-separated list of IP addresses/CIDRs, got "${raw}"`);
  }
  return list;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export function loadConfig(env: Env = process.env): Config {
  const port = int(env, "PORT", 8080, 0, 65535);
  const publicUrl = (url(env, "PUBLIC_URL", ["http:", "https:"]) ?? `http://localhost:${port}`).replace(/\/+$/, "");
  const adminApiKeys = (str(env, "ADMIN_API_KEY") ?? "")
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k !== "");
  for (const key of adminApiKeys) {
    if (key.length < 16) throw new ConfigError("ADMIN_API_KEY", "each key must be at least 16 characters");
  }
  const secretsKey = str(env, "SECRETS_KEY");
  if (secretsKey !== undefined && Buffer.from(secretsKey, "base64").length !== 32) {
    throw new ConfigError("SECRETS_KEY", "must be 32 bytes encoded as base64 (openssl rand -base64 32)");
  }
  const retryRaw = str(env, "WEBHOOK_RETRY_SCHEDULE") ?? "5,300,1800,7200,21600,43200,86400,86400,86400";
  const retrySchedule = retryRaw.split(",").map((s) => {
    const n = Number(s.trim());
    if (!Number.isFinite(n) || n < 0) {
      throw new ConfigError("WEBHOOK_RETRY_SCHEDULE", `must be comma-separated seconds, got "${retryRaw}"`);
    }
    return n;
  });
  const metricsMode = oneOf(env, "METRICS", ["off", "open", "bearer"] as const, "open");
  const metricsToken = str(env, "METRICS_TOKEN");
  if (metricsMode === "bearer" && !metricsToken) {
    throw new ConfigError("METRICS_TOKEN", "is required when METRICS=bearer");
  }
  const webhookGlobalUrl = url(env, "WEBHOOK_URL", ["http:", "https:"]);
  const webhookGlobalSecret = str(env, "WEBHOOK_SECRET");
  if (webhookGlobalUrl && !webhookGlobalSecret) {
    throw new ConfigError("WEBHOOK_SECRET", "is required when WEBHOOK_URL is set");
  }
  const databaseUrl = url(env, "DATABASE_URL", ["postgres:", "postgresql:"]);
  const databaseDirectUrl = url(env, "DATABASE_DIRECT_URL", ["postgres:", "postgresql:"]);
  if (databaseDirectUrl && !databaseUrl) {
    throw new ConfigError("DATABASE_DIRECT_URL", "needs DATABASE_URL too (the embedded database is reached directly)");
  }
  return {
    databaseUrl,
    databaseDirectUrl: databaseDirectUrl ?? databaseUrl,
    port,
    host: str(env, "HOST") ?? "0.0.0.0",
    publicUrl,
    adminApiKeys,
    logLevel: oneOf(env, "LOG_LEVEL", LOG_LEVELS, "info"),
    dataDir: str(env, "DATA_DIR") ?? "./.data",
    embeddedPostgres: { binaries: str(env, "EMBEDDED_POSTGRES_BINARIES"), rootDir: str(env, "EMBEDDED_POSTGRES_ROOT_DIR") },
    production: str(env, "NODE_ENV") === "production",
    trustProxy: trustProxy(env),
    secretsKey,
    maxTokensPerDirectory: int(env, "MAX_TOKENS_PER_DIRECTORY", 5, 1, 100),
    tokenTtlDays: int(env, "SECRET_TOKEN_TTL_DAYS", 0, 0, 3650),
    scim: {
      maxResults: int(env, "SCIM_MAX_RESULTS", 1000, 1, 10000),
      maxBodyBytes: int(env, "SCIM_MAX_BODY_BYTES", 1048576, 1024),
      bulkMaxOperations: int(env, "SCIM_BULK_MAX_OPERATIONS", 1000, 1),
      bulkMaxPayloadBytes: int(env, "SCIM_BULK_MAX_PAYLOAD_BYTES", 1048576, 1024),
      patchMaxOperations: int(env, "SCIM_PATCH_MAX_OPERATIONS", 1000, 1),
      maxMembersPerRequest: int(env, "SCIM_MAX_MEMBERS_PER_REQUEST", 10000, 1),
      listMaxMembers: int(env, "SCIM_LIST_MAX_MEMBERS", 10000, 1),
      maxResourceBytes: int(env, "SCIM_MAX_RESOURCE_BYTES", 65536, 1024),
    },
    events: { retentionDays: int(env, "EVENT_RETENTION_DAYS", 30, 1) },
    webhooks: {
      workerEnabled: bool(env, "WEBHOOK_WORKER", true),
      globalUrl: webhookGlobalUrl,
      globalSecret: webhookGlobalSecret,
      timeoutMs: int(env, "WEBHOOK_TIMEOUT_MS", 10000, 100),
      retrySchedule,
      allowPrivateTargets: bool(env, "WEBHOOK_ALLOW_PRIVATE_TARGETS", str(env, "NODE_ENV") !== "production"),
      leaseMs: int(env, "WEBHOOK_LEASE_MS", 30000, 100),
      pollMs: int(env, "WEBHOOK_POLL_MS", 200, 10, 60000),
      concurrency: int(env, "WEBHOOK_CONCURRENCY", 16, 1, 1000),
    },
    metrics: { mode: metricsMode, token: metricsToken },
    setupLinkTtlDays: int(env, "SETUP_LINK_TTL_DAYS", 7, 1, 365),
    adminPageMaxBytes: int(env, "ADMIN_PAGE_MAX_BYTES", 1048576, 1024),
    requestLog: {
      retentionDays: int(env, "SCIM_REQUEST_LOG_RETENTION_DAYS", 7, 1),
      maxRowsPerDirectory: int(env, "SCIM_REQUEST_LOG_MAX_ROWS", 10000, 10),
      body: oneOf(env, "SCIM_REQUEST_LOG_BODY", ["none", "redacted", "full"] as const, "redacted"),
    },
    rateLimit: {
      adminPerMinute: int(env, "ADMIN_RATE_LIMIT_PER_MINUTE", 600, 1),
      authFailuresPerMinute: int(env, "AUTH_FAILURE_LIMIT_PER_MINUTE", 30, 1),
    },
    dbPoolSize: int(env, "DB_POOL_SIZE", 20, 1, 500),
    statementTimeoutMs: int(env, "DB_STATEMENT_TIMEOUT_MS", 30000, 0),
    dbPreparedStatements: bool(env, "DB_PREPARED_STATEMENTS", true),
    shutdownDrainMs: int(env, "SHUTDOWN_DRAIN_MS", 3000, 0, 60000),
    consoleSessionMinutes: int(env, "CONSOLE_SESSION_MINUTES", 60, 1, 720),
  };
}
