import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { canConnect, freePort, HAPROXY_BIN, SCALE_OUT_DIR, waitFor } from "./cluster-tools.js";

// HAProxy as a child process, running docker/scale-out/haproxy.cfg with the ports in its environment. With fewer
// than three replicas the extra `server replicaN` lines are left out. Each replica's state (UP, DOWN, ...) is read
// from the stats page as CSV.

export interface HaProxy {
  url: string;
  pid: number;
  /** The state HAProxy gives the server `replica<n>` (1-based): "UP", "DOWN", "UP 1/2", "no check", ... */
  serverState(n: number): Promise<string>;
  waitForState(n: number, state: "UP" | "DOWN", timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
  output(): string;
}

export function haproxyConfig(replicas: number): string {
  return readFileSync(`${SCALE_OUT_DIR}/haproxy.cfg`, "utf8")
    .split("\n")
    .filter((line) => {
      const m = /^\s*server replica(\d+) /.exec(line);
      return !m || Number(m[1]) <= replicas;
    })
    .join("\n");
}

export async function startHaProxy(replicaPorts: number[]): Promise<HaProxy> {
  if (!HAPROXY_BIN) throw new Error("haproxy is not installed");
  const dir = mkdtempSync(`${tmpdir()}/scimbridge-haproxy-`);
  const cfg = `${dir}/haproxy.cfg`;
  writeFileSync(cfg, haproxyConfig(replicaPorts.length));
  const lbPort = await freePort();
  const statsPort = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    SCALE_LB_PORT: String(lbPort),
    SCALE_STATS_PORT: String(statsPort),
  };
  replicaPorts.forEach((p, i) => {
    env[`REPLICA${i + 1}_PORT`] = String(p);
  });
  const child: ChildProcess = spawn(HAPROXY_BIN, ["-db", "-f", cfg], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out = (out + d).slice(-20000)));
  child.stderr!.on("data", (d) => (out = (out + d).slice(-20000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await waitFor("haproxy listening", 10_000, async () => {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}): ${out}`);
    return (await canConnect(lbPort)) && (await canConnect(statsPort));
  });

  /** status and check_status (L7OK: the last /readyz check passed; INI: not checked yet) of replica<n> */
  async function serverRow(n: number): Promise<{ status: string; check: string }> {
    const csv = await (await fetch(`http://127.0.0.1:${statsPort}/stats;csv`)).text();
    const [header, ...rows] = csv.replace(/^# /, "").trim().split("\n");
    const columns = header!.split(",");
    const row = rows.map((r) => r.split(",")).find((r) => r[0] === "replicas" && r[1] === `replica${n}`);
    if (!row) throw new Error(`haproxy has no server replica${n}`);
    return { status: row[columns.indexOf("status")]!, check: row[columns.indexOf("check_status")]! };
  }
  const serverState = async (n: number) => (await serverRow(n)).status;

  return {
    url: `http://127.0.0.1:${lbPort}`,
    pid: child.pid!,
    serverState,
    async waitForState(n, state, timeoutMs = 30_000) {
      // HAProxy starts a server UP before its first check: UP counts only once a /readyz check has passed
      await waitFor(
        `haproxy: replica${n} ${state}`,
        timeoutMs,
        async () => {
          const row = await serverRow(n);
          return row.status === state && (state === "DOWN" || row.check === "L7OK");
        },
        50,
      );
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
    output: () => out,
  };
}
