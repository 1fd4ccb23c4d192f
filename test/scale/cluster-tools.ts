import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import net from "node:net";
import { fileURLToPath } from "node:url";

export { freePort } from "../helpers/server-process.js";

// What the scale-out harness (test/scale/, bench/scale-out.ts) needs from this machine: the HAProxy and
// PgBouncer binaries, the built service, free loopback ports, and polling with a deadline.

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const SCALE_OUT_DIR = `${ROOT}docker/scale-out`;

function binary(name: string, envVar: string): string | undefined {
  const candidates = [process.env[envVar], `/usr/sbin/${name}`, `/usr/bin/${name}`, `/usr/local/sbin/${name}`].filter(Boolean);
  return candidates.find((p) => existsSync(p!));
}

export const HAPROXY_BIN = binary("haproxy", "HAPROXY_BIN");
export const PGBOUNCER_BIN = binary("pgbouncer", "PGBOUNCER_BIN");

/** Why the scale-out run cannot happen here (a missing binary), or undefined when it can. */
export function missingTools(): string | undefined {
  const missing = [!HAPROXY_BIN && "haproxy", !PGBOUNCER_BIN && "pgbouncer"].filter(Boolean);
  return missing.length ? `${missing.join(" and ")} not installed (Debian packages haproxy, pgbouncer)` : undefined;
}

let built = false;

/** `npm run build` once per process, as the Docker image does; the replicas then run `node dist/server.js`. */
export function buildOnce(): void {
  if (built) return;
  execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  if (!statSync(`${ROOT}dist/server.js`).isFile()) throw new Error("npm run build wrote no dist/server.js");
  built = true;
}

/** Polls `check` every `everyMs` until it returns a value other than undefined/false; throws `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | false>, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms${lastError ? ` (last error: ${String(lastError)})` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Resolves when a TCP connect to 127.0.0.1:port succeeds. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

export const isRoot = () => process.getuid?.() === 0;
