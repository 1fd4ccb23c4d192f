import autocannon, { type Request } from "autocannon";
import { LatencyRecorder, type LatencySummary, round } from "./latency.js";

// One HTTP scenario under autocannon: a short warm-up, then the measured run. Latencies come from
// autocannon's per-response timing, kept whole so p95 is exact (autocannon itself reports no p95).

export interface HttpScenario {
  name: string;
  /** Called for every request: method, path, body (per-request bodies keep userNames unique). */
  next: () => { method: string; path: string; body?: unknown };
  headers: Record<string, string>;
  /** Skip reading response bodies (big list pages): cheaper for the load generator. */
  ignoreBodies?: boolean;
}

export interface HttpResult {
  scenario: string;
  concurrency: number;
  durationSec: number;
  requests: number;
  rps: number;
  latencyMs: LatencySummary;
  errors: number;
  statusCounts: Record<string, number>;
  firstErrorBody?: string;
}

async function run(url: string, scenario: HttpScenario, connections: number, durationSec: number, latency?: LatencyRecorder) {
  let firstErrorBody: string | undefined;
  const request: Request = {
    setupRequest: (req) => {
      const n = scenario.next();
      return { ...req, method: n.method, path: n.path, body: n.body === undefined ? undefined : JSON.stringify(n.body) };
    },
  };
  if (!scenario.ignoreBodies) {
    request.onResponse = (status, body) => {
      if (status >= 300 && firstErrorBody === undefined) firstErrorBody = `${status} ${body.slice(0, 500)}`;
    };
  }
  const instance = autocannon({ url, connections, duration: durationSec, timeout: 30, headers: scenario.headers, requests: [request] });
  if (latency) instance.on("response", (_c, _s, _b, ms) => latency.record(ms));
  const result = await instance;
  return { result, firstErrorBody };
}

export async function runHttp(
  url: string,
  scenario: HttpScenario,
  connections: number,
  durationSec: number,
  warmupSec = 1,
  afterWarmup?: () => void | Promise<void>,
): Promise<HttpResult> {
  if (warmupSec > 0) await run(url, scenario, connections, warmupSec);
  await afterWarmup?.();
  const latency = new LatencyRecorder();
  const { result, firstErrorBody } = await run(url, scenario, connections, durationSec, latency);
  const statusCounts = Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count]));
  return {
    scenario: scenario.name,
    concurrency: connections,
    durationSec: result.duration,
    requests: latency.count,
    rps: round(latency.count / result.duration, 0),
    latencyMs: latency.summary(),
    errors: result.errors + result.timeouts + result.non2xx,
    statusCounts,
    firstErrorBody,
  };
}
