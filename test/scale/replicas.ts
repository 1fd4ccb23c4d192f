import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { freePort, ROOT, waitFor } from "./cluster-tools.js";

// Service replicas as child processes: `node dist/server.js` as the Docker image runs it, each with its own PORT
// and DATA_DIR and the environment the cluster shares (database URLs, ADMIN_API_KEY, SECRETS_KEY). A replica can
// be killed, stopped with SIGTERM and started again on the same port.

export interface Replica {
  name: string;
  port: number;
  url: string;
  pid(): number;
  running(): boolean;
  /** Starts the process (again) and waits until its /readyz answers 200. */
  start(): Promise<void>;
  /** Sends `signal` and waits for the process to exit; returns its exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  output(): string;
  /** Removes its DATA_DIR (after stop). */
  remove(): void;
}

export interface ReplicaOptions {
  name: string;
  env: Record<string, string>;
  /** Directory holding dist/ and prisma/migrations (a "newer build"); default: this checkout. */
  appDir?: string;
  port?: number;
  readyTimeoutMs?: number;
}

export async function createReplica(opts: ReplicaOptions): Promise<Replica> {
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(`${tmpdir()}/scimbridge-${opts.name}-`);
  let child: ChildProcess | undefined;
  let exited: Promise<number | null> = Promise.resolve(null);
  let out = "";
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-40000);
  };

  const replica: Replica = {
    name: opts.name,
    port,
    url,
    pid: () => child!.pid!,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    async start() {
      const env = {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        HOST: "127.0.0.1",
        PORT: String(port),
        DATA_DIR: dataDir,
        ...opts.env,
      };
      const c = spawn(process.execPath, ["dist/server.js"], { cwd: opts.appDir ?? ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
      child = c;
      c.stdout!.on("data", keep);
      c.stderr!.on("data", keep);
      exited = new Promise((resolve) =>
        c.once("exit", (code, signal) => {
          out += `\n[harness] ${opts.name} exited (${signal ?? code})\n`;
          resolve(code);
        }),
      );
      let exitedEarly = false;
      try {
        await waitFor(`${opts.name} ready (GET ${url}/readyz → 200)`, opts.readyTimeoutMs ?? 60_000, async () => {
          exitedEarly = c.exitCode !== null || c.signalCode !== null;
          if (exitedEarly) return true;
          try {
            return (await fetch(`${url}/readyz`)).status === 200;
          } catch {
            return false; // not listening yet
          }
        });
      } catch (err) {
        c.kill("SIGKILL");
        throw new Error(`${(err as Error).message}; its output:\n${out.slice(-4000)}`);
      }
      if (exitedEarly) throw new Error(`${opts.name} exited before ready:\n${out.slice(-4000)}`);
    },
    async stop(signal = "SIGTERM") {
      if (replica.running()) child!.kill(signal);
      return exited;
    },
    output: () => out,
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
  return replica;
}
