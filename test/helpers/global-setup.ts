import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

// Picks the Postgres server every test file creates its own database on:
// DATABASE_URL if set (CI: the local Postgres), else Testcontainers when a Docker engine answers,
// else an embedded PostgreSQL for the whole run.

declare module "vitest" {
  export interface ProvidedContext {
    pgServerUrl: string;
  }
}

async function tryTestcontainers(): Promise<{ url: string; stop: () => Promise<void> } | undefined> {
  if (!process.env.DOCKER_HOST && !existsSync("/var/run/docker.sock")) return undefined;
  try {
    const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
    const container = await new PostgreSqlContainer("postgres:16-alpine").start();
    return { url: container.getConnectionUri(), stop: async () => void (await container.stop()) };
  } catch {
    return undefined;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide("pgServerUrl", process.env.DATABASE_URL);
    return;
  }
  const container = await tryTestcontainers();
  if (container) {
    project.provide("pgServerUrl", container.url);
    return container.stop;
  }
  const { startEmbeddedPostgres } = await import("../../src/db/embedded-postgres.js");
  const dir = await mkdtemp(path.join(os.tmpdir(), "scimbridge-test-pg-"));
  const embedded = await startEmbeddedPostgres({ dataDir: dir, role: "server", log: () => {} });
  project.provide("pgServerUrl", embedded.url);
  return async () => {
    await embedded.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
