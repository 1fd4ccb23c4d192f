import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { cpuMsOf, statusKb } from "./proc.js";

// The real service as a child process (src/server.ts through tsx, or the built dist/server.js), on
// loopback only, at its default log level (info; BENCH_LOG_LEVEL overrides). The floor server runs the
// same way. RSS and CPU are read from /proc so load generation never counts.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ServiceOptions {
  databaseUrl: string;
  dist?: boolean;
  /** Directory for node --cpu-prof output (written when the service exits). */
  cpuProfDir?: string;
  env?: Record<string, string>;
  /** Deliver webhooks from a separate worker process (src/worker.ts) instead of inside the service. */
  separateWorker?: boolean;
}

export interface Service extends ServerProcess {
  adminKey: string;
  admin<T>(method: string, path: string, body?: unknown): Promise<T>;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) newest = Math.max(newest, statSync(`${e.parentPath}/${e.name}`).mtimeMs);
  }
  return newest;
}

let built = false;

/** Builds dist/ (npm run build) when dist/server.js is missing or older than any file in src/; once per run. */
export function ensureBuilt(): void {
  if (built) return;
  built = true;
  const server = `${ROOT}/dist/server.js`;
  if (existsSync(server) && statSync(server).mtimeMs >= newestMtime(`${ROOT}/src`)) return;
  process.stderr.write("building dist/ (npm run build) ...\n");
  try {
    execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  } catch {
    throw new Error("npm run build failed (see above); fix it, or run the service from source with --tsx");
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A server the bench runs as a child process: its CPU and memory are read from /proc. */
export interface ServerProcess {
  url: string;
  pid: number;
  startupMs: number;
  /** Current and peak resident memory in MB (peak since start or the last resetPeak). */
  memory(): { rssMb: number; peakMb: number };
  /** CPU time (user + system) the process has used so far, in ms. */
  cpuMs(): number;
  /**
   * Waits until the process has been nearly idle (< 5% of a core) for half a second, at most 30 s: requests
   * a finished scenario left in flight must not be charged to the next one.
   */
  settle(): Promise<void>;
  /** Restarts the peak (VmHWM) so it covers only what runs next. */
  resetPeak(): void;
  stop(): Promise<void>;
}

/** Starts `node <args>` on a free loopback port (PORT, PUBLIC_URL, HOST set) and waits for GET /readyz → 200. */
async function spawnServer(
  args: string[],
  baseEnv: Record<string, string>,
  keepOutput?: (b: Buffer) => void,
): Promise<ServerProcess & { port: number }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    HOST: "127.0.0.1",
    PORT: String(port),
    PUBLIC_URL: url,
    ...baseEnv,
  };
  const t0 = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep =
    keepOutput ??
    ((b: Buffer) => {
      output = (output + b.toString()).slice(-20000);
    });
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  // ready = /readyz answers 200 (for the service: database reachable, migrations applied)
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(" ")} exited (${child.exitCode}) before ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${args.join(" ")} not ready after 120 s:\n${output}`);
    }
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const startupMs = Math.round(performance.now() - t0);
  const pid = child.pid!;
  return {
    url,
    port,
    pid,
    startupMs,
    memory: () => ({ rssMb: Math.round(statusKb(pid, "VmRSS") / 1024), peakMb: Math.round(statusKb(pid, "VmHWM") / 1024) }),
    cpuMs: () => cpuMsOf(pid),
    async settle() {
      const cpu = () => cpuMsOf(pid);
      const until = Date.now() + 30_000;
      let quiet = 0;
      let last = cpu();
      while (Date.now() < until && quiet < 2) {
        await new Promise((r) => setTimeout(r, 250));
        const now = cpu();
        quiet = now - last <= 12 ? quiet + 1 : 0;
        last = now;
      }
    },
    resetPeak: () => writeFileSync(`/proc/${pid}/clear_refs`, "5"),
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

export async function startService(opts: ServiceOptions): Promise<Service> {
  const adminKey = `bench-admin-${randomBytes(12).toString("hex")}`;
  const dataDir = mkdtempSync(`${tmpdir()}/scimbridge-bench-`);
  const env: Record<string, string> = {
    DATABASE_URL: opts.databaseUrl,
    // the service's default (info) unless BENCH_LOG_LEVEL says otherwise: the issue measures the default
    ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}),
    ADMIN_API_KEY: adminKey,
    SECRETS_KEY: randomBytes(32).toString("base64"),
    DATA_DIR: dataDir,
    // the admin API is driven far harder than its per-minute limit here
    ADMIN_RATE_LIMIT_PER_MINUTE: "100000000",
    ...opts.env,
  };
  if (opts.dist) ensureBuilt();
  const script = opts.dist ? ["dist/server.js"] : ["--import", "tsx", "src/server.ts"];
  const prof = opts.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  if (opts.separateWorker) env.WEBHOOK_WORKER = "false";
  let output = "";
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-20000);
  };
  const server = await spawnServer([...prof, ...script], env, keep);
  const worker = opts.separateWorker
    ? spawn(process.execPath, opts.dist ? ["dist/worker.js"] : ["--import", "tsx", "src/worker.ts"], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "",
          HOST: "127.0.0.1",
          PORT: String(server.port),
          PUBLIC_URL: server.url,
          ...env,
        },
        stdio: ["ignore", "pipe", "pipe"],
      })
    : undefined;
  if (worker) {
    worker.stdout!.on("data", keep);
    worker.stderr!.on("data", keep);
  }
  const workerExited = worker ? new Promise((resolve) => worker.once("exit", resolve)) : Promise.resolve();

  return {
    ...server,
    adminKey,
    async admin<T>(method: string, path: string, body?: unknown): Promise<T> {
      const r = await fetch(`${server.url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      if (r.status >= 300) throw new Error(`admin ${method} ${path} → ${r.status}: ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    async stop() {
      if (worker && worker.exitCode === null) {
        worker.kill("SIGTERM");
        await workerExited;
      }
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The floor server (bench/floor-server.ts) through tsx, on a migrated bench database: `prepared` false
 * sends unnamed statements (parsed and planned on every call).
 */
export async function startFloor(opts: { databaseUrl: string; prepared: boolean }): Promise<ServerProcess> {
  return spawnServer(["--import", "tsx", "bench/floor-server.ts"], {
    DATABASE_URL: opts.databaseUrl,
    FLOOR_PREPARED: String(opts.prepared),
  });
}

export interface BenchDirectory {
  id: string;
  tenantUrl: string;
  token: string;
}

export async function createDirectory(
  service: Service,
  name: string,
  webhookUrl?: string,
): Promise<BenchDirectory & { webhookSecret?: string }> {
  const created = await service.admin<{ id: string; scim: { tenantUrl: string; secretToken: string }; webhook: { secret: string } | null }>(
    "POST",
    "/directories",
    { name, provider: "entra", ...(webhookUrl ? { webhook: { url: webhookUrl } } : {}) },
  );
  return { id: created.id, tenantUrl: created.scim.tenantUrl, token: created.scim.secretToken, webhookSecret: created.webhook?.secret };
}
