import { performance } from "node:perf_hooks";
import { LatencyRecorder, type LatencySummary, round } from "./latency.js";

// A closed loop: `concurrency` workers each run `op` back to back until the deadline. Used where the
// work is not a plain HTTP request (raw SQL, request sequences); HTTP scenarios use autocannon.

export interface LoopResult {
  concurrency: number;
  durationSec: number;
  ops: number;
  errors: number;
  firstError?: string;
  opsPerSec: number;
  latencyMs: LatencySummary;
}

export interface LoopOptions {
  concurrency: number;
  durationMs: number;
  /** Run (and discard) this long first so caches, JIT and pools are warm. */
  warmupMs?: number;
  op: (worker: number) => Promise<void>;
}

async function loop(opts: LoopOptions, durationMs: number, latency: LatencyRecorder | undefined) {
  const deadline = performance.now() + durationMs;
  let errors = 0;
  let firstError: string | undefined;
  const worker = async (w: number) => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await opts.op(w);
        latency?.record(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)));
  return { errors, firstError, elapsedMs: performance.now() - start };
}

export async function closedLoop(opts: LoopOptions): Promise<LoopResult> {
  if (opts.warmupMs) await loop(opts, opts.warmupMs, undefined);
  const latency = new LatencyRecorder();
  const { errors, firstError, elapsedMs } = await loop(opts, opts.durationMs, latency);
  return {
    concurrency: opts.concurrency,
    durationSec: round(elapsedMs / 1000),
    ops: latency.count,
    errors,
    firstError,
    opsPerSec: round(latency.count / (elapsedMs / 1000), 0),
    latencyMs: latency.summary(),
  };
}

/** One closed-loop measurement of a named scenario. */
export interface ScenarioResult {
  scenario: string;
  result: LoopResult;
}

/** The table row of a scenario's result, as the closed-loop benches print it. */
export function loopRow({ scenario, result }: ScenarioResult): Record<string, string | number> {
  return {
    scenario,
    C: result.concurrency,
    "ops/s": result.opsPerSec,
    "mean ms": result.latencyMs.mean,
    "p50 ms": result.latencyMs.p50,
    "p99 ms": result.latencyMs.p99,
    errors: result.errors,
  };
}
