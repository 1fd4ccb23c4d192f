import assert from "node:assert/strict";
import { type SpawnOptions, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { openSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

// `npm run test:docker`: the image and docker-compose.yml as a user runs them, on a real Docker engine.
// Finds (or, as root, starts) an engine; prints one skip line when there is none, unless REQUIRE_DOCKER=1.
// Builds the base-image stand-ins when no NODE_IMAGE/POSTGRES_IMAGE is given (no registry is reachable here),
// builds the image, runs compose with the host-network override (loopback ports only), then checks in order:
// healthy, directory created, SCIM create + filter read, restart keeps the user, the CLI inside the container,
// the image alone on its embedded database as the non-root user, and `compose down -v`.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const REQUIRE = process.env.REQUIRE_DOCKER === "1";
const LIMIT_MS = 10 * 60_000;
const PROJECT = `scimbridge-test-${process.pid}-${randomBytes(3).toString("hex")}`;
const IMAGE = process.env.SCIMBRIDGE_TEST_IMAGE ?? "scimbridge:docker-test";
const ADMIN_KEY = `docker-test-${randomBytes(16).toString("hex")}`;
const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (no shell), capturing its output. */
function run(cmd: string, args: string[], options: SpawnOptions & { input?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, ...options, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => {
      stdout += d;
    });
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 600_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin?.end(options.input ?? "");
  });
}

async function must(cmd: string, args: string[], options: Parameters<typeof run>[2] = {}): Promise<string> {
  const r = await run(cmd, args, options);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}

function onPath(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

async function engineAnswers(): Promise<boolean> {
  if (!onPath("docker")) return false;
  return (await run("docker", ["info", "--format", "{{.ServerVersion}}"], { timeoutMs: 15_000 })).code === 0;
}

async function poll<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

/** An engine that answers: the running one, or (as root) dockerd started here without a bridge. */
async function findEngine(): Promise<{ reason?: string; started?: number }> {
  if (await engineAnswers()) return {};
  if (!onPath("docker")) return { reason: "no docker client on PATH" };
  if (process.getuid?.() !== 0) return { reason: "no Docker engine answers and this is not root, so none can be started" };
  if (!onPath("dockerd")) return { reason: "no Docker engine answers and dockerd is not installed" };
  const log = path.join(os.tmpdir(), `scimbridge-dockerd-${process.pid}.log`);
  const fd = openSync(log, "a");
  const child = spawn("dockerd", ["--bridge=none", "--iptables=false", "--ip-masq=false"], { detached: true, stdio: ["ignore", fd, fd] });
  child.unref();
  try {
    await poll("dockerd", 60_000, async () => ((await engineAnswers()) ? true : undefined));
  } catch {
    return { reason: `dockerd did not answer within 60 s (log: ${log})` };
  }
  console.log(`docker test: started dockerd (pid ${child.pid}, log ${log})`);
  return { started: child.pid };
}

async function composeCommand(): Promise<string[] | undefined> {
  if ((await run("docker", ["compose", "version"], { timeoutMs: 15_000 })).code === 0) return ["docker", "compose"];
  if (onPath("docker-compose")) return ["docker-compose"];
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function http(base: string, method: string, url: string, token: string, body?: unknown) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function ready(base: string, deadlineMs: number): Promise<void> {
  await poll(`${base}/readyz`, deadlineMs, async () => {
    const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(3000) });
    return res.status === 200 ? true : undefined;
  });
}

/** Creates a directory over the admin API, then a SCIM user, and reads it back with a filter. */
async function directoryAndUser(base: string, userName: string) {
  const created = await http(base, "POST", "/api/v1/directories", ADMIN_KEY, { name: "Docker test", tenant: "docker" });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const directory = created.body as { id: string; scim: { tenantUrl: string; secretToken: string } };
  assert.match(directory.scim.secretToken, /\S{20,}/);
  const scim = `/scim/v2/${directory.id}`;
  const user = await http(base, "POST", `${scim}/Users`, directory.scim.secretToken, { schemas: [USER_SCHEMA], userName, active: true });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  const found = await http(
    base,
    "GET",
    `${scim}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`,
    directory.scim.secretToken,
  );
  assert.equal(found.status, 200);
  assert.equal(found.body.totalResults, 1);
  assert.equal(found.body.Resources[0].id, user.body.id);
  return { directory, userId: user.body.id as string, scim };
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const engine = await findEngine();
  const compose = engine.reason ? undefined : await composeCommand();
  const reason = engine.reason ?? (compose ? undefined : "neither `docker compose` nor docker-compose is installed");
  if (reason) {
    if (REQUIRE) {
      console.error(`docker test FAILED: ${reason} (REQUIRE_DOCKER=1)`);
      return 1;
    }
    console.log(`docker test skipped: ${reason}`);
    return 0;
  }
  assert(compose);

  let passed = 0;
  const step = async (name: string, body: () => Promise<void>) => {
    const s = Date.now();
    await body();
    passed++;
    console.log(`  ✓ ${name} (${((Date.now() - s) / 1000).toFixed(1)} s)`);
  };

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/root",
    DOCKER_BUILDKIT: "0",
    COMPOSE_DOCKER_CLI_BUILD: "0",
  };
  for (const name of ["DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CONTEXT"]) if (process.env[name]) env[name] = process.env[name]!;
  const nodeImage = process.env.NODE_IMAGE;
  const postgresImage = process.env.POSTGRES_IMAGE;
  const port = await freePort();
  const dbPort = await freePort();
  const composeEnv = {
    ...env,
    COMPOSE_PROJECT_NAME: PROJECT,
    SCIMBRIDGE_IMAGE: IMAGE,
    POSTGRES_IMAGE: postgresImage ?? "scimbridge-standin/postgres:bookworm",
    POSTGRES_PORT: String(dbPort),
    PORT: String(port),
    ADMIN_API_KEY: ADMIN_KEY,
  };
  const composeArgs = [...compose.slice(1), "-f", "docker-compose.yml", "-f", "docker/compose.host-network.yml"];
  const dc = (args: string[], timeoutMs?: number) => must(compose[0], [...composeArgs, ...args], { env: composeEnv, timeoutMs });
  const alone = `${PROJECT}-alone`;
  const base = `http://127.0.0.1:${port}`;

  console.log(`docker test: project ${PROJECT}, ${compose.join(" ")}, scimbridge on ${base}, postgres on 127.0.0.1:${dbPort}`);
  try {
    await step("base images ready (stand-ins from Debian packages unless NODE_IMAGE and POSTGRES_IMAGE are given)", async () => {
      if (!nodeImage || !postgresImage)
        await must("bash", ["docker/build-standins.sh"], { env: { ...env, ...process.env, DOCKER_BUILDKIT: "0" } });
    });
    await step(`image built (${IMAGE})`, async () => {
      await must(
        "docker",
        [
          "build",
          "--network",
          "host",
          "-q",
          "--build-arg",
          `NODE_IMAGE=${nodeImage ?? "scimbridge-standin/node:24-bookworm-slim"}`,
          "-t",
          IMAGE,
          ".",
        ],
        {
          env,
        },
      );
      const size = Number((await must("docker", ["image", "inspect", "-f", "{{.Size}}", IMAGE], { env })).trim());
      const user = (await must("docker", ["image", "inspect", "-f", "{{.Config.User}}", IMAGE], { env })).trim();
      console.log(`    image size ${(size / 1e6).toFixed(0)} MB, user ${user}`);
      assert.equal(user, "node");
    });
    await step("docker compose up with the host-network override", async () => {
      await dc(["up", "-d"]);
    });

    let container = "";
    await step("1) healthy", async () => {
      container = (await dc(["ps", "-q", "scimbridge"])).trim();
      assert.match(container, /^[0-9a-f]{12,}$/);
      await poll("the scimbridge container to be healthy", 180_000, async () => {
        const status = (await must("docker", ["inspect", "-f", "{{.State.Health.Status}}", container], { env })).trim();
        return status === "healthy" ? true : undefined;
      });
      await ready(base, 10_000);
    });

    let created: Awaited<ReturnType<typeof directoryAndUser>> | undefined;
    const userName = `ada-${randomBytes(4).toString("hex")}@contoso.example`;
    await step("2) directory created and 3) SCIM create + filter read", async () => {
      created = await directoryAndUser(base, userName);
    });
    assert(created);
    const { directory, userId, scim } = created;

    await step("4) restart the service container, the user reads back", async () => {
      await dc(["restart", "scimbridge"]);
      await ready(base, 120_000);
      const got = await http(base, "GET", `${scim}/Users/${userId}`, directory.scim.secretToken);
      assert.equal(got.status, 200);
      assert.equal(got.body.userName, userName);
    });

    await step("5) the CLI inside the container (compose exec scimbridge scimbridge users list)", async () => {
      const out = await dc(["exec", "-T", "scimbridge", "scimbridge", "users", "list", "--directory", directory.id]);
      assert.match(out, new RegExp(`${userId}\\t${userName.replace(/[.]/g, "\\.")}\\t`));
      const dirs = await dc(["exec", "-T", "scimbridge", "scimbridge", "directories", "list"]);
      assert.match(dirs, new RegExp(directory.id));
    });

    await step("6) the image alone: embedded PostgreSQL (no DATABASE_URL) as the non-root user", async () => {
      const alonePort = await freePort();
      const aloneBase = `http://127.0.0.1:${alonePort}`;
      await must(
        "docker",
        [
          "run",
          "-d",
          "--name",
          alone,
          "--network",
          "host",
          "-e",
          `PORT=${alonePort}`,
          "-e",
          "HOST=127.0.0.1",
          "-e",
          `ADMIN_API_KEY=${ADMIN_KEY}`,
          IMAGE,
        ],
        { env },
      );
      await ready(aloneBase, 180_000);
      assert.equal((await must("docker", ["exec", alone, "id", "-un"], { env })).trim(), "node");
      const { directory: d2, userId: u2, scim: s2 } = await directoryAndUser(aloneBase, userName);
      const got = await http(aloneBase, "GET", `${s2}/Users/${u2}`, d2.scim.secretToken);
      assert.equal(got.status, 200);
      assert.equal(got.body.userName, userName);
    });

    await step("7) docker compose down -v", async () => {
      await dc(["down", "-v", "--remove-orphans"]);
      assert.equal((await must("docker", ["ps", "-aq", "--filter", `label=com.docker.compose.project=${PROJECT}`], { env })).trim(), "");
      assert.equal(
        (await must("docker", ["volume", "ls", "-q", "--filter", `label=com.docker.compose.project=${PROJECT}`], { env })).trim(),
        "",
      );
    });

    const total = Date.now() - t0;
    assert(total < LIMIT_MS, `took ${total} ms, over the ${LIMIT_MS} ms budget`);
    console.log(`docker test: took ${(total / 1000).toFixed(0)} s (budget ${LIMIT_MS / 1000} s)`);
    console.log(`docker: ${passed} passed, 0 failed`);
    return 0;
  } catch (err) {
    console.error(`docker test FAILED after ${passed} steps: ${err instanceof Error ? err.stack : String(err)}`);
    const logs = await run(compose[0], [...composeArgs, "logs", "--no-color", "--tail", "60"], { env: composeEnv, timeoutMs: 60_000 });
    console.error(logs.stdout.slice(-6000));
    const aloneLogs = await run("docker", ["logs", "--tail", "40", alone], { env, timeoutMs: 30_000 });
    if (aloneLogs.code === 0) console.error(`${alone}:\n${aloneLogs.stdout}${aloneLogs.stderr}`);
    console.log(`docker: ${passed} passed, 1 failed`);
    return 1;
  } finally {
    await run("docker", ["rm", "-f", "-v", alone], { env, timeoutMs: 60_000 });
    await run(compose[0], [...composeArgs, "down", "-v", "--remove-orphans"], { env: composeEnv, timeoutMs: 120_000 });
    if (engine.started) {
      try {
        process.kill(engine.started, "SIGTERM");
      } catch {}
    }
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
