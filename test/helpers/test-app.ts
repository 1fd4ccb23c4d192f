import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../src/app.js";
import { type Config, loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { createTestDatabase, type TestDatabase } from "./test-database.js";

export const TEST_ADMIN_KEY = "test-admin-key-0123456789abcdef";
export const TEST_SECRETS_KEY = Buffer.alloc(32, 7).toString("base64");

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  database: TestDatabase;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  /** Raw log output, for asserting that secrets never appear. */
  logText(): string;
  close(): Promise<void>;
}

/** A config as the service would load it, with test defaults; `env` overrides variables by name. */
export function testConfig(databaseUrl: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    DATABASE_URL: databaseUrl,
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    SECRETS_KEY: TEST_SECRETS_KEY,
    PUBLIC_URL: "http://scimbridge.test",
    LOG_LEVEL: "info",
    WEBHOOK_WORKER: "false",
    ...env,
  });
}

/** Builds the app on a fresh database (or the one given), capturing its logs. */
export async function buildTestApp(env: Record<string, string> = {}, database?: TestDatabase): Promise<TestApp> {
  const db = database ?? (await createTestDatabase());
  const config = testConfig(db.url, env);
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  const app = await buildApp(config, { logger: createLogger(config.logLevel, sink) });
  await app.ready();
  return {
    app,
    config,
    database: db,
    get logs() {
      return chunks
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    logText: () => chunks.join(""),
    async close() {
      await app.close();
      if (!database) await db.drop();
    },
  };
}

export const adminAuth = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
