import pg from "pg";
import { SERVER_URL } from "./bench-database.js";
import { cpuMsOf } from "./proc.js";

// CPU time of the Postgres backends serving one database (the bench database of the service, floor or
// pgbench under test), read from /proc/<backend pid>/stat. Backends are found in pg_stat_activity
// (client backends of that database) at the start, every 200 ms during the phase and at the end: one
// that connects mid-phase counts from zero (its connection setup is part of the cost), one that exits
// mid-phase counts up to its last sample. The sampler's own connection is to the server's default
// database, so it never counts itself. Needs Postgres on this machine (same /proc).

export interface BackendCpuPhase {
  /** Ends the phase: CPU ms of the database's backends since start, and how many backends were seen. */
  stop(): Promise<{ cpuMs: number; backends: number }>;
}

function readCpu(pid: number): number | undefined {
  try {
    return cpuMsOf(pid);
  } catch {
    return undefined; // exited
  }
}

/** `exclude`: backend pids not to count (the bench's own idle reader connection). */
export async function startBackendCpu(database: string, exclude: number[] = []): Promise<BackendCpuPhase> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  const pids = async () =>
    (
      await client.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'", [
        database,
      ])
    ).rows
      .map((r) => r.pid)
      .filter((pid) => !exclude.includes(pid));
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const sample = async (atStart: boolean) => {
    for (const pid of await pids()) {
      const cpu = readCpu(pid);
      if (cpu === undefined) continue;
      if (!first.has(pid)) first.set(pid, atStart ? cpu : 0);
      last.set(pid, cpu);
    }
    // backends seen before: read again even if they just left pg_stat_activity
    for (const pid of last.keys()) {
      const cpu = readCpu(pid);
      if (cpu !== undefined) last.set(pid, cpu);
    }
  };
  await sample(true);
  let polling = Promise.resolve();
  const timer = setInterval(() => {
    polling = polling.then(() => sample(false)).catch(() => {});
  }, 200);
  return {
    async stop() {
      clearInterval(timer);
      await polling;
      await sample(false);
      await client.end();
      let cpuMs = 0;
      for (const [pid, end] of last) cpuMs += end - (first.get(pid) ?? 0);
      return { cpuMs, backends: last.size };
    },
  };
}
