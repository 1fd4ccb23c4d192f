import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBeUndefined();
    expect(c.port).toBe(8080);
    expect(c.host).toBe("0.0.0.0");
    expect(c.publicUrl).toBe("http://localhost:8080");
    expect(c.adminApiKeys).toEqual([]);
    expect(c.logLevel).toBe("info");
    expect(c.dataDir).toBe("./.data");
  });

  it("derives PUBLIC_URL from PORT and strips a trailing slash from an explicit one", () => {
    expect(loadConfig({ PORT: "9000" }).publicUrl).toBe("http://localhost:9000");
    expect(loadConfig({ PUBLIC_URL: "https://sso.example.com/" }).publicUrl).toBe("https://sso.example.com");
  });

  it("accepts several comma-separated admin keys for rotation", () => {
    expect(loadConfig({ ADMIN_API_KEY: "aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb" }).adminApiKeys).toEqual([
      "aaaaaaaaaaaaaaaa",
      "bbbbbbbbbbbbbbbb",
    ]);
  });

  it("trusts X-Forwarded-For only when TRUST_PROXY says so", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "true" }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: "10.0.0.0/8, 127.0.0.1" }).trustProxy).toEqual(["10.0.0.0/8", "127.0.0.1"]);
  });

  it("uses DATABASE_URL for sessions unless DATABASE_DIRECT_URL is set; drains 3 s on SIGTERM by default", () => {
    const pooled = "postgresql://app@pgbouncer:6432/scimbridge";
    const direct = "postgresql://app@postgres:5432/scimbridge";
    expect(loadConfig({ DATABASE_URL: pooled }).databaseDirectUrl).toBe(pooled);
    expect(loadConfig({ DATABASE_URL: pooled, DATABASE_DIRECT_URL: direct })).toMatchObject({
      databaseUrl: pooled,
      databaseDirectUrl: direct,
    });
    expect(loadConfig({}).databaseDirectUrl).toBeUndefined();
    expect(loadConfig({}).shutdownDrainMs).toBe(3000);
    expect(loadConfig({ SHUTDOWN_DRAIN_MS: "0" }).shutdownDrainMs).toBe(0);
  });

  const invalid: [string, Record<string, string>][] = [
    ["DATABASE_DIRECT_URL", { DATABASE_DIRECT_URL: "postgresql://app@postgres:5432/scimbridge" }],
    ["DATABASE_DIRECT_URL", { DATABASE_URL: "postgresql://app@pgbouncer:6432/x", DATABASE_DIRECT_URL: "http://postgres" }],
    ["SHUTDOWN_DRAIN_MS", { SHUTDOWN_DRAIN_MS: "-1" }],
    ["SHUTDOWN_DRAIN_MS", { SHUTDOWN_DRAIN_MS: "soon" }],
    ["TRUST_PROXY", { TRUST_PROXY: "the load balancer" }],
    ["PORT", { PORT: "eighty" }],
    ["PORT", { PORT: "70000" }],
    ["DATABASE_URL", { DATABASE_URL: "mysql://x@y/z" }],
    ["DATABASE_URL", { DATABASE_URL: "not a url" }],
    ["PUBLIC_URL", { PUBLIC_URL: "ftp://example.com" }],
    ["ADMIN_API_KEY", { ADMIN_API_KEY: "short" }],
    ["LOG_LEVEL", { LOG_LEVEL: "loud" }],
    ["SECRETS_KEY", { SECRETS_KEY: "dG9vIHNob3J0" }],
    ["METRICS", { METRICS: "sometimes" }],
    ["METRICS_TOKEN", { METRICS: "bearer" }],
    ["WEBHOOK_RETRY_SCHEDULE", { WEBHOOK_RETRY_SCHEDULE: "5,soon" }],
    ["WEBHOOK_SECRET", { WEBHOOK_URL: "https://hooks.example.com" }],
    ["WEBHOOK_WORKER", { WEBHOOK_WORKER: "maybe" }],
    ["MAX_TOKENS_PER_DIRECTORY", { MAX_TOKENS_PER_DIRECTORY: "0" }],
  ];
  it.each(invalid)("fails fast naming %s", (variable, env) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message.startsWith(`${variable}: `)).toBe(true);
  });

  it(".env.example documents every variable the config reads", () => {
    const source = readFileSync("src/config.ts", "utf8");
    const read = new Set([...source.matchAll(/\((?:env, )?"([A-Z][A-Z0-9_]+)"/g)].map((m) => m[1]));
    read.delete("NODE_ENV");
    const documented = new Set(
      readFileSync(".env.example", "utf8")
        .split("\n")
        .filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l))
        .map((l) => l.split("=")[0]),
    );
    expect(read.size).toBeGreaterThan(20);
    expect([...read].filter((v) => !documented.has(v))).toEqual([]);
  });
});
