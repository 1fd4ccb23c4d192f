import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, waitForOk, waitForOutput } from "./helpers/server-process.js";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.js";

describe("the service process (npm start)", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  it("exits 1 with one line naming the variable when configuration is invalid", async () => {
    const proc = await startServerProcess({ PORT: "not-a-port", DATABASE_URL: db.url });
    expect(await proc.exited).toBe(1);
    const lines = proc.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^scimbridge: invalid configuration: PORT: must be an integer/);
  });

  it("serves on DATABASE_URL and exits 0 on SIGTERM after closing the server and the pool", async () => {
    const proc = await startServerProcess({
      DATABASE_URL: db.url,
      ADMIN_API_KEY: "graceful-test-key-0123456789",
      PUBLIC_URL: "https://sync.example.com",
    });
    try {
      await waitForOk(`${proc.baseUrl}/readyz`, 60000, proc);
      // the next step, with the configured key referenced, not printed; https: no warning
      await waitForOutput(proc, "scimbridge is ready at https://sync.example.com", 10000);
      expect(proc.output()).toContain("API docs (Swagger UI): https://sync.example.com/docs");
      expect(proc.output()).toContain("Operator console (sign in with the admin API key): https://sync.example.com/console");
      expect(proc.output()).toContain(
        `curl -s -X POST https://sync.example.com/api/v1/directories -H "Authorization: Bearer $ADMIN_API_KEY" -H 'Content-Type: application/json' -d '{"name":"Acme Corp"}'`,
      );
      expect(proc.output()).not.toContain("graceful-test-key-0123456789");
      expect(proc.output()).not.toContain("warning: PUBLIC_URL");
      proc.child.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
      expect(proc.output()).toContain("shutting down: finishing in-flight requests");
      await expect(fetch(`${proc.baseUrl}/healthz`)).rejects.toThrow();
    } finally {
      await proc.stop("SIGKILL");
    }
  });

  it("starts an embedded PostgreSQL when DATABASE_URL is unset, generates and prints the admin key once", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "scimbridge-embedded-"));
    try {
      const first = await startServerProcess({
        DATABASE_URL: undefined,
        ADMIN_API_KEY: undefined,
        SECRETS_KEY: undefined,
        DATA_DIR: dataDir,
        SHUTDOWN_DRAIN_MS: "0", // no load balancer here; the drain has its own test (graceful-shutdown.test.ts)
      });
      let key: string;
      try {
        const ms = await waitForOk(`${first.baseUrl}/readyz`, 15000, first);
        expect(ms).toBeLessThan(15000);
        key = readFileSync(path.join(dataDir, "admin-api-key"), "utf8").trim();
        expect(key).toMatch(/^sbk_[A-Za-z0-9_-]{43}$/);
        expect(first.output()).toContain(key);
        expect(existsSync(path.join(dataDir, "pg", "PG_VERSION"))).toBe(true);
        // the next step: Swagger UI, a curl that reads the generated key, and the https warning for Entra
        await waitForOutput(first, "scimbridge is ready at", 10000);
        const base = `http://localhost:${first.port}`;
        expect(first.output()).toContain(`API docs (Swagger UI): ${base}/docs`);
        const curl =
          /curl -s -X POST (\S+) -H "Authorization: Bearer \$\(cat '([^']+)'\)" -H 'Content-Type: application\/json' -d '(\{[^']+\})'/.exec(
            first.output(),
          );
        expect(curl?.[1]).toBe(`${base}/api/v1/directories`);
        expect(curl?.[2]).toBe(path.join(dataDir, "admin-api-key"));
        // the printed command works as printed (its URL is PUBLIC_URL, here the default localhost)
        const made = await fetch(`${first.baseUrl}/api/v1/directories`, {
          method: "POST",
          headers: { authorization: `Bearer ${readFileSync(curl![2], "utf8").trim()}`, "content-type": "application/json" },
          body: curl![3],
        });
        expect(made.status).toBe(201);
        expect(first.output()).toContain(`warning: PUBLIC_URL (${base}) is not https. Entra ID needs a public HTTPS Tenant URL`);
      } finally {
        const code = await first.stop();
        expect(code, first.output()).toBe(0);
      }
      // a restart reuses the cluster and the key, and does not print the key again
      const second = await startServerProcess({
        DATABASE_URL: undefined,
        ADMIN_API_KEY: undefined,
        SECRETS_KEY: undefined,
        DATA_DIR: dataDir,
        SHUTDOWN_DRAIN_MS: "0", // no load balancer here; the drain has its own test (graceful-shutdown.test.ts)
      });
      try {
        await waitForOk(`${second.baseUrl}/readyz`, 15000, second);
        expect(second.output()).not.toContain(key);
        expect(second.output()).not.toContain("applied database migrations");
      } finally {
        expect(await second.stop()).toBe(0);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
