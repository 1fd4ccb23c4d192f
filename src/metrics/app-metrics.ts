import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Database } from "../db/database.js";
import { countEventsWritten } from "../events/event-store.js";
import { deliveryBacklog } from "../webhooks/delivery-store.js";

// One Registry per app instance (tests build many apps; the global registry would mix them).
// Request counters are updated inline (a label lookup and an increment); everything read from the
// database is collected only when /metrics is scraped.

export interface AppMetrics {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpDuration: Histogram<"method" | "route" | "status">;
  scimOperations: Counter<"provider" | "resource" | "operation" | "outcome">;
}

/** How long database-backed values are reused between scrapes. */
const SNAPSHOT_MS = 5000;

interface DatabaseSnapshot {
  eventsWritten: number;
  deliveries: Map<string, number>;
  oldestPendingSeconds: number;
}

// the webhook worker's statuses: failed = waiting for a retry; pending and failed are "open"
const DELIVERY_STATUSES = ["pending", "failed", "succeeded", "dead"];

export function createAppMetrics(db: Database, extra: { requestLogDropped: () => number }): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "scimbridge_" });

  // one set of queries shared by the gauges below, reused for SNAPSHOT_MS so frequent scrapes (or
  // several Prometheus servers) do not count webhook_deliveries over and over
  let snapshot: Promise<DatabaseSnapshot | null> | null = null;
  let snapshotAt = 0;
  const readDatabase = (): Promise<DatabaseSnapshot | null> => {
    if (!snapshot || Date.now() - snapshotAt > SNAPSHOT_MS) {
      snapshotAt = Date.now();
      snapshot = loadSnapshot(db);
    }
    return snapshot;
  };

  new Counter({
    name: "scimbridge_events_written_total",
    help: "Events written to the event log (read from the events id sequence on scrape)",
    registers: [registry],
    async collect() {
      const s = await readDatabase();
      if (s) {
        this.reset();
        this.inc(s.eventsWritten);
      }
    },
  });
  new Gauge({
    name: "scimbridge_webhook_deliveries",
    help: "Webhook deliveries by status (pending, failed = waiting for a retry, succeeded, dead)",
    labelNames: ["status"],
    registers: [registry],
    async collect() {
      const s = await readDatabase();
      if (!s) return;
      for (const status of new Set([...DELIVERY_STATUSES, ...s.deliveries.keys()])) this.set({ status }, s.deliveries.get(status) ?? 0);
    },
  });
  new Gauge({
    name: "scimbridge_webhook_oldest_pending_seconds",
    help: "Age of the oldest webhook delivery not yet delivered (0 when none): delivery lag",
    registers: [registry],
    async collect() {
      const s = await readDatabase();
      if (s) this.set(s.oldestPendingSeconds);
    },
  });
  new Gauge({
    name: "scimbridge_db_pool_connections",
    help: "Database pool connections by state",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      this.set({ state: "total" }, db.pool.totalCount);
      this.set({ state: "idle" }, db.pool.idleCount);
      this.set({ state: "waiting" }, db.pool.waitingCount);
    },
  });
  new Gauge({
    name: "scimbridge_request_log_dropped",
    help: "SCIM request log rows dropped since start (buffer full or database write failed)",
    registers: [registry],
    collect() {
      this.set(extra.requestLogDropped());
    },
  });

  return {
    registry,
    httpRequests: new Counter({
      name: "scimbridge_http_requests_total",
      help: "HTTP requests by route pattern and status",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "scimbridge_http_request_duration_seconds",
      help: "HTTP request latency by route pattern and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    scimOperations: new Counter({
      name: "scimbridge_scim_operations_total",
      help: "SCIM operations by directory provider, resource, operation and outcome",
      labelNames: ["provider", "resource", "operation", "outcome"],
      registers: [registry],
    }),
  };
}

async function loadSnapshot(db: Database): Promise<DatabaseSnapshot | null> {
  try {
    const [eventsWritten, backlog] = await Promise.all([countEventsWritten(db), deliveryBacklog(db)]);
    return { eventsWritten, oldestPendingSeconds: backlog.oldestOpenSeconds, deliveries: backlog.byStatus };
  } catch {
    // the database being down must not break the scrape: database-backed series keep their last values
    return null;
  }
}

/** A SCIM response's outcome label: success, the scimType, or a name for the status. */
export function scimOutcome(status: number, scimType: string | undefined): string {
  if (status < 400) return "success";
  if (scimType) return scimType;
  return (
    {
      400: "bad_request",
      401: "unauthorized",
      403: "forbidden",
      404: "not_found",
      409: "conflict",
      412: "precondition_failed",
      413: "payload_too_large",
      429: "rate_limited",
    }[status] ?? (status >= 500 ? "server_error" : "client_error")
  );
}
