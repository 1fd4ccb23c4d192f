import { createServer, type Server } from "node:http";
import autocannon from "autocannon";
import pg from "pg";
import { benchFlags, isMain } from "./lib/args.js";
import { createBenchDatabase } from "./lib/bench-database.js";
import { entraUser } from "./lib/entra-bodies.js";
import { LatencyRecorder, type LatencySummary, round } from "./lib/latency.js";
import { printTable, runInfo, writeResult } from "./lib/report.js";
import { type BenchDirectory, createDirectory, startService } from "./lib/service.js";

// Webhook delivery under write load: a local receiver (answers 204 at once) is the webhook endpoint of
// each directory; autocannon drives POST /Users at C=64 spread over the directories for a fixed time.
// Lag = receive time − the event's occurredAt (its transaction's timestamp). Afterwards the queue
// is drained, and the time that takes is reported too.

export interface WebhookResult {
  worker: "in the service" | "separate process";
  directories: number;
  concurrency: number;
  loadSec: number;
  writes: number;
  writeRate: number;
  eventsWritten: number;
  deliveredDuringLoad: number;
  deliveryRateDuringLoad: number;
  delivered: number;
  drainSec: number | null;
  duplicates: number;
  lagMs: LatencySummary;
  /** Lag per second of the load window (p50 and max of deliveries received in that second). */
  lagBySecond: { second: number; delivered: number; p50: number; max: number }[];
  peakRssMb: number;
  writeErrors: number;
}

interface Receiver {
  url: string;
  received: { at: number; lag: number; id: string }[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: Receiver["received"] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const now = Date.now();
      try {
        const event = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { id: string; occurredAt: string };
        received.push({ at: now, lag: now - Date.parse(event.occurredAt), id: event.id });
      } catch {
        // counted as not delivered
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface WebhookOptions {
  directories: number;
  concurrency: number;
  durationSec: number;
  /** Deliver from `npm run worker` beside the service (WEBHOOK_WORKER=false) instead of inside it. */
  separateWorker: boolean;
  dist?: boolean;
  cpuProf?: string;
}

export async function runWebhooks(opts: WebhookOptions): Promise<WebhookResult> {
  const db = await createBenchDatabase("webhooks");
  const receiver = await startReceiver();
  const service = await startService({
    databaseUrl: db.url,
    dist: opts.dist,
    cpuProfDir: opts.cpuProf,
    separateWorker: opts.separateWorker,
    env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: "true" },
  });
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  try {
    const dirs: BenchDirectory[] = [];
    for (let d = 0; d < opts.directories; d++) dirs.push(await createDirectory(service, `webhook bench ${d}`, receiver.url));
    let seq = 0;
    service.resetPeak();
    const t0 = Date.now();
    const load = await autocannon({
      url: service.url,
      connections: opts.concurrency,
      duration: opts.durationSec,
      requests: [
        {
          setupRequest: (req) => {
            const d = dirs[seq % dirs.length]!;
            return {
              ...req,
              method: "POST",
              path: `${new URL(d.tenantUrl).pathname}/Users`,
              headers: { authorization: `Bearer ${d.token}`, "content-type": "application/scim+json" },
              body: JSON.stringify(entraUser(`hook${++seq}@bench.example`)),
            };
          },
        },
      ],
    });
    const loadEnd = Date.now();
    const eventsWritten = Number((await sql.query<{ n: string }>("SELECT count(*) AS n FROM events")).rows[0]!.n);
    const deliveredDuringLoad = receiver.received.filter((r) => r.at <= loadEnd).length;
    // drain: wait (at most 120 s) until every event has reached the receiver
    const unique = () => new Set(receiver.received.map((r) => r.id)).size;
    let drainSec: number | null = null;
    while (Date.now() - loadEnd < 120_000) {
      if (unique() >= eventsWritten) {
        drainSec = round((Date.now() - loadEnd) / 1000, 1);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const lag = new LatencyRecorder();
    for (const r of receiver.received) lag.record(r.lag);
    const lagBySecond = [];
    for (let s = 0; s * 1000 < loadEnd - t0; s++) {
      const inSecond = new LatencyRecorder();
      for (const r of receiver.received) if (r.at >= t0 + s * 1000 && r.at < t0 + (s + 1) * 1000) inSecond.record(r.lag);
      const sum = inSecond.summary();
      lagBySecond.push({ second: s + 1, delivered: sum.count, p50: sum.p50, max: sum.max });
    }
    const writes = load.requests.total;
    return {
      worker: opts.separateWorker ? "separate process" : "in the service",
      directories: opts.directories,
      concurrency: opts.concurrency,
      loadSec: round((loadEnd - t0) / 1000, 1),
      writes,
      writeRate: round(writes / ((loadEnd - t0) / 1000), 0),
      eventsWritten,
      deliveredDuringLoad,
      deliveryRateDuringLoad: round(deliveredDuringLoad / ((loadEnd - t0) / 1000), 0),
      delivered: receiver.received.length,
      drainSec,
      duplicates: receiver.received.length - unique(),
      lagMs: lag.summary(),
      lagBySecond,
      peakRssMb: service.memory().peakMb,
      writeErrors: load.errors + load.timeouts + load.non2xx,
    };
  } finally {
    await sql.end();
    await service.stop();
    await receiver.close();
    await db.drop();
  }
}

export function webhookTable(results: WebhookResult[]) {
  return results.map((r) => ({
    worker: r.worker,
    directories: r.directories,
    C: r.concurrency,
    "load s": r.loadSec,
    "writes/s": r.writeRate,
    events: r.eventsWritten,
    "delivered/s during load": r.deliveryRateDuringLoad,
    "lag p50 ms": r.lagMs.p50,
    "lag p95 ms": r.lagMs.p95,
    "lag max ms": r.lagMs.max,
    "drain s": r.drainSec ?? "> 120",
    duplicates: r.duplicates,
    "write errors": r.writeErrors,
    "peak RSS MB": r.peakRssMb,
  }));
}

export function lagTable(r: WebhookResult) {
  return r.lagBySecond.map((s) => ({ second: s.second, delivered: s.delivered, "lag p50 ms": s.p50, "lag max ms": s.max }));
}

export function webhookArgs(argv = process.argv.slice(2)) {
  const values = benchFlags(argv);
  return {
    directories: Number(values.directories),
    // the write load is C=64: the largest of --concurrency
    concurrency: Math.max(...values.concurrency.split(",").map(Number)),
    durationSec: Number(values["webhook-duration"]),
    separateWorker: values.worker === "separate",
    dist: !values.tsx,
    cpuProf: values["cpu-prof"],
  };
}

if (isMain(import.meta.url)) {
  const opts = webhookArgs();
  const info = await runInfo();
  const r = await runWebhooks(opts);
  printTable(
    `Webhook delivery under POST /Users load (C=${opts.concurrency}, ${opts.directories} directories each with its endpoint)`,
    webhookTable([r]),
  );
  printTable("Lag by second of the load window", lagTable(r));
  console.log(`\nwrote ${writeResult("webhooks", info, { options: opts, result: r })}`);
}
