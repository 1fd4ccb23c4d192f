import { execFile } from "node:child_process";
import { existsSync, lstatSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { chmod, cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { locatePostgresBinaries } from "../src/db/postgres-binaries.js";
import { alive } from "../src/db/postgres-cluster.js";
import { type ServerProcess, startServerProcess, waitForOk } from "./helpers/server-process.js";

// The embedded database (no DATABASE_URL) has one owner: the server. The CLI and db:migrate use the
// serving database, a second server is refused, and a postgres orphaned by kill -9 is recovered.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const EMBEDDED = { DATABASE_URL: undefined, ADMIN_API_KEY: undefined, SECRETS_KEY: undefined };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(env: Record<string, string | undefined>, ...args: string[]): Promise<Run> {
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, LOG_LEVEL: "silent", ...env })) if (v !== undefined) childEnv[k] = v;
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, env: childEnv, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const postmasterPid = (dataDir: string) => Number(readFileSync(path.join(dataDir, "pg", "postmaster.pid"), "utf8").split("\n")[0]);

async function gone(pid: number, timeoutMs: number): Promise<boolean> {
  const start = Date.now();
  while (alive(pid)) {
    if (Date.now() - start > timeoutMs) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe("the embedded database has one owner", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "scimbridge-owner-"));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  async function serve(): Promise<ServerProcess> {
    const proc = await startServerProcess({ ...EMBEDDED, DATA_DIR: dataDir });
    await waitForOk(`${proc.baseUrl}/readyz`, 60000, proc);
    return proc;
  }

  it("the CLI and db:migrate use the serving database, a second server is refused, and the server stays ready", {
    timeout: 180_000,
  }, async () => {
    const server = await serve();
    try {
      const key = readFileSync(path.join(dataDir, "admin-api-key"), "utf8").trim();
      const created = await run({ ...EMBEDDED, DATA_DIR: dataDir }, "bin/scimbridge.js", "directories", "create", "--name", "Owner Test");
      expect(created.code, created.stderr).toBe(0);
      // quiet by default: no database chatter on a CLI call
      expect(created.stderr).toBe("");
      const id = /Tenant URL:\s+\S+\/scim\/v2\/([0-9a-f-]{36})/.exec(created.stdout)?.[1];
      expect(id).toBeDefined();
      expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(200);
      // the server sees what the CLI wrote: one database
      const res = await fetch(`${server.baseUrl}/api/v1/directories/${id}`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id, name: "Owner Test" });

      const migrated = await run({ ...EMBEDDED, DATA_DIR: dataDir }, "--import", "tsx", "src/db/migrate-cli.ts");
      expect(migrated.code, migrated.stderr).toBe(0);
      expect(migrated.stdout).toContain("no pending migrations");
      expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(200);

      const second = await startServerProcess({ ...EMBEDDED, DATA_DIR: dataDir });
      expect(await second.exited).toBe(1);
      const lines = second.output().trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toBe(
        `scimbridge: another scimbridge server (pid ${server.child.pid}) is running on DATA_DIR ${path.resolve(dataDir)}: stop it first, or use another DATA_DIR`,
      );
      expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // a clean stop leaves no owner behind
    expect(existsSync(path.join(dataDir, "embedded-postgres.json"))).toBe(false);
  });

  it("recovers a postgres orphaned by kill -9 of the server, and a stale postmaster.pid", { timeout: 180_000 }, async () => {
    const first = await serve();
    const orphan = postmasterPid(dataDir);
    first.child.kill("SIGKILL");
    await first.exited;
    expect(alive(orphan)).toBe(true);

    const second = await serve();
    expect(await gone(orphan, 5000)).toBe(true);
    const key = readFileSync(path.join(dataDir, "admin-api-key"), "utf8").trim();
    const list = await fetch(`${second.baseUrl}/api/v1/directories`, { headers: { authorization: `Bearer ${key}` } });
    expect(list.status).toBe(200);

    // the whole box dies (server, postmaster and backends at once): postmaster.pid stays behind, and its
    // pid now belongs to another live process (as after a container restart)
    const postmaster = postmasterPid(dataDir);
    second.child.kill("SIGKILL");
    process.kill(-postmaster, "SIGKILL");
    await second.exited;
    expect(await gone(postmaster, 5000)).toBe(true);
    const pidFile = path.join(dataDir, "pg", "postmaster.pid");
    const lines = readFileSync(pidFile, "utf8").split("\n");
    lines[0] = String(process.pid);
    writeFileSync(pidFile, lines.join("\n"));

    const third = await serve();
    const again = await fetch(`${third.baseUrl}/api/v1/directories`, { headers: { authorization: `Bearer ${key}` } });
    expect(again.status).toBe(200);
    expect(await third.stop()).toBe(0);
  });
});

describe("the embedded database from a directory only its user can enter", () => {
  // As root, postgres runs as the "postgres" user, which cannot enter this directory: the server copies the
  // programs and keeps the cluster under EMBEDDED_POSTGRES_ROOT_DIR. As any other user it runs in place.
  let privateDir: string;
  let rootDir: string;
  beforeAll(async () => {
    privateDir = await mkdtemp(path.join(os.tmpdir(), "scimbridge-private-"));
    await chmod(privateDir, 0o700);
    rootDir = await mkdtemp(path.join(os.tmpdir(), "scimbridge-pgroot-"));
    await chmod(rootDir, 0o755);
    // the programs as they would be in node_modules of a clone inside privateDir
    await cp(locatePostgresBinaries(undefined).dir, path.join(privateDir, "native"), { recursive: true, verbatimSymlinks: true });
  });
  afterAll(async () => {
    await rm(privateDir, { recursive: true, force: true });
    await rm(rootDir, { recursive: true, force: true });
  });

  it("serves, and keeps its data across a restart", { timeout: 180_000 }, async () => {
    const dataDir = path.join(privateDir, "data");
    const env = {
      ...EMBEDDED,
      DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_BINARIES: path.join(privateDir, "native"),
      EMBEDDED_POSTGRES_ROOT_DIR: rootDir,
    };
    const first = await startServerProcess(env);
    let id: string;
    try {
      await waitForOk(`${first.baseUrl}/readyz`, 60000, first);
      const key = readFileSync(path.join(dataDir, "admin-api-key"), "utf8").trim();
      const created = await fetch(`${first.baseUrl}/api/v1/directories`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "Private Dir Corp" }),
      });
      expect(created.status).toBe(201);
      id = ((await created.json()) as { id: string }).id;
    } finally {
      expect(await first.stop()).toBe(0);
    }
    if (process.getuid?.() === 0) {
      expect(lstatSync(path.join(dataDir, "pg")).isSymbolicLink()).toBe(true);
      expect(realpathSync(path.join(dataDir, "pg")).startsWith(realpathSync(rootDir))).toBe(true);
    } else {
      expect(lstatSync(path.join(dataDir, "pg")).isDirectory()).toBe(true);
    }
    const second = await startServerProcess(env);
    try {
      await waitForOk(`${second.baseUrl}/readyz`, 60000, second);
      const key = readFileSync(path.join(dataDir, "admin-api-key"), "utf8").trim();
      const read = await fetch(`${second.baseUrl}/api/v1/directories/${id}`, { headers: { authorization: `Bearer ${key}` } });
      expect(read.status).toBe(200);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });
});
