import http from "node:http";
import { performance } from "node:perf_hooks";
import type { LatencyRecorder } from "./latency.js";

// A minimal keep-alive HTTP client for request sequences (replay, growth probes), where each
// request depends on the answer to the previous one and autocannon's fixed loop does not fit.

export interface ScimResponse {
  status: number;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export class ScimClient {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(
    baseUrl: string,
    private readonly token: string,
    maxSockets = 64,
    private readonly latency?: LatencyRecorder,
  ) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  request(method: string, path: string, body?: unknown): Promise<ScimResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.token}`,
            accept: "application/scim+json",
            ...(payload ? { "content-type": "application/scim+json", "content-length": payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            this.latency?.record(performance.now() - t0);
            const text = Buffer.concat(chunks).toString("utf8");
            resolve({ status: res.statusCode ?? 0, body: text, json: <T>() => JSON.parse(text) as T });
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** Like request, but an unexpected status is an error that names the request and the answer. */
  async expect(status: number | number[], method: string, path: string, body?: unknown): Promise<ScimResponse> {
    const r = await this.request(method, path, body);
    const ok = Array.isArray(status) ? status.includes(r.status) : r.status === status;
    if (!ok) throw new Error(`${method} ${path} → ${r.status} (expected ${status}): ${r.body.slice(0, 300)}`);
    return r;
  }

  close(): void {
    this.agent.destroy();
  }
}
