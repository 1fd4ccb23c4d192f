import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createScimDirectory, scimClient, USER_SCHEMA } from "../helpers/scim-fixtures.js";
import { buildTestApp, type TestApp } from "../helpers/test-app.js";

// The Grafana dashboard that `docker compose --profile observability up` provisions queries series by name and
// groups them by labels: every one must exist in /metrics once real SCIM traffic has gone through the app.

interface Panel {
  title: string;
  targets?: { expr: string }[];
}
const dashboard = JSON.parse(readFileSync("docker/observability/grafana/dashboards/scimbridge.json", "utf8")) as {
  uid: string;
  panels: Panel[];
};
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

/** Series names in a PromQL expression (this dashboard's are all prefixed scimbridge_). */
function seriesNames(expr: string): string[] {
  return [...expr.matchAll(/\bscimbridge_\w+/g)].map((m) => m[0]);
}

/** Label names a query groups by (`by (a, b)`), without `le` checks being special: histograms carry it. */
function groupLabels(expr: string): string[] {
  return [...expr.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((m) =>
    m[1]
      .split(",")
      .map((l) => l.trim())
      .filter(Boolean),
  );
}

/** The label names each series carries in Prometheus text format. */
function exposition(text: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!m) continue;
    const labels = out.get(m[1]) ?? new Set<string>();
    for (const l of (m[2] ?? "").matchAll(/(\w+)="/g)) labels.add(l[1]);
    out.set(m[1], labels);
  }
  return out;
}

describe("the provisioned Grafana dashboard against /metrics after real SCIM traffic", () => {
  let t: TestApp;
  let series: Map<string, Set<string>>;
  beforeAll(async () => {
    t = await buildTestApp({ METRICS: "open" });
    const d = await createScimDirectory(t);
    const scim = scimClient(t, d);
    const created = await scim("POST", "/Users", { schemas: [USER_SCHEMA], userName: "grace@contoso.example" });
    expect(created.status).toBe(201);
    expect((await scim("POST", "/Users", { schemas: [USER_SCHEMA], userName: "grace@contoso.example" })).status).toBe(409);
    expect((await scim("GET", '/Users?filter=userName eq "grace@contoso.example"')).status).toBe(200);
    expect((await scim("GET", `/Users/${randomUUID()}`)).status).toBe(404);
    const res = await t.app.inject({ method: "GET", url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/plain");
    series = exposition(res.body);
  });
  afterAll(async () => t.close());

  it("has panels with queries, read by Prometheus through the provisioned datasource", () => {
    expect(queries.length).toBeGreaterThanOrEqual(8);
    const datasource = parse(readFileSync("docker/observability/grafana/provisioning/datasources/prometheus.yml", "utf8")) as {
      datasources: { uid: string; type: string }[];
    };
    expect(datasource.datasources[0]).toMatchObject({ uid: "prometheus", type: "prometheus" });
    for (const p of dashboard.panels) expect(JSON.stringify(p)).toContain('"uid":"prometheus"');
  });

  it("queries only series that /metrics exposes, grouped by labels they carry", () => {
    for (const q of queries) {
      const names = seriesNames(q.expr);
      expect(names.length, q.panel).toBeGreaterThan(0);
      for (const name of names) {
        expect(series.has(name), `${q.panel}: ${name} is not in /metrics`).toBe(true);
        for (const label of groupLabels(q.expr)) {
          expect(series.get(name)?.has(label), `${q.panel}: ${name} has no label ${label}`).toBe(true);
        }
      }
    }
  });

  it("Prometheus scrapes the service's /metrics", () => {
    for (const file of ["docker/observability/prometheus.yml", "docker/observability/prometheus.host-network.yml"]) {
      const config = parse(readFileSync(file, "utf8")) as {
        scrape_configs: { metrics_path: string; static_configs: { targets: string[] }[] }[];
      };
      expect(config.scrape_configs[0].metrics_path).toBe("/metrics");
      expect(config.scrape_configs[0].static_configs[0].targets[0]).toMatch(/:8080$/);
    }
  });
});
