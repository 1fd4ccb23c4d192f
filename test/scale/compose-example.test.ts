import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SCALE_OUT_DIR } from "./cluster-tools.js";
import { haproxyConfig } from "./haproxy.js";
import { pgbouncerIni } from "./pgbouncer.js";

// docker/scale-out/: the compose example is the set-up the scale test runs. Its haproxy.cfg and pgbouncer.ini are
// the files the harness starts HAProxy and PgBouncer from; here they are checked against compose.yml, and the
// compose file against docker-compose (`config` validates and interpolates it) when docker-compose is installed.

type Service = { image?: string; network_mode?: string; environment?: Record<string, string>; volumes?: string[] };
const compose = parse(readFileSync(`${SCALE_OUT_DIR}/compose.yml`, "utf8"), { merge: true }) as { services: Record<string, Service> };
const haproxyCfg = readFileSync(`${SCALE_OUT_DIR}/haproxy.cfg`, "utf8");
const replicas = ["replica1", "replica2", "replica3"];

function composeBinary(): string[] | undefined {
  for (const cmd of [["docker-compose"], ["docker", "compose"]]) {
    try {
      execFileSync(cmd[0]!, [...cmd.slice(1), "version"], { stdio: "ignore" });
      return cmd;
    } catch {
      // not this one
    }
  }
  return undefined;
}
const dockerCompose = composeBinary();
if (!dockerCompose) console.warn("docker-compose config check skipped: neither docker-compose nor docker compose is installed");

describe("docker/scale-out compose example", () => {
  it("runs three replicas, HAProxy and PgBouncer on the host network", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["db", "haproxy", "pgbouncer", ...replicas].sort());
    for (const s of Object.values(compose.services)) expect(s.network_mode).toBe("host");
  });

  it("gives every replica its own port and data, the pooled and the direct database URL, and the shared keys", () => {
    const ports = replicas.map((r) => compose.services[r]!.environment!.PORT);
    expect(new Set(ports).size).toBe(3);
    for (const r of replicas) {
      const env = compose.services[r]!.environment!;
      expect(env.DATABASE_URL).toMatch(/@127\.0\.0\.1:6432\//);
      expect(env.DATABASE_DIRECT_URL).toMatch(/@127\.0\.0\.1:\$\{POSTGRES_PORT:-55432\}\//);
      expect(env.DB_PREPARED_STATEMENTS).toBe("false");
      expect(env.ADMIN_API_KEY).toMatch(/^\$\{ADMIN_API_KEY:\?/);
      expect(env.SECRETS_KEY).toMatch(/^\$\{SECRETS_KEY:\?/);
      expect(env.SHUTDOWN_DRAIN_MS).toBeDefined();
      expect(compose.services[r]!.volumes).toEqual([`${r}-data:/data`]);
    }
    // HAProxy's server lines point at the replicas' ports
    const haproxyEnv = compose.services.haproxy!.environment!;
    expect(replicas.map((_, i) => haproxyEnv[`REPLICA${i + 1}_PORT`])).toEqual(ports);
  });

  it("mounts the haproxy.cfg and pgbouncer.ini the scale test runs", () => {
    expect(compose.services.haproxy!.volumes).toContain("./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro");
    expect(compose.services.pgbouncer!.volumes).toContain("./pgbouncer.ini:/etc/pgbouncer/pgbouncer.ini:ro");
    expect(haproxyConfig(3)).toBe(haproxyCfg);
    expect(haproxyConfig(1)).not.toMatch(/server replica[23] /);
    for (const line of ["option httpchk GET /readyz", "default-server inter 500 fall 2 rise 1", "option redispatch", "retries 3"]) {
      expect(haproxyCfg).toContain(line);
    }
    expect(haproxyCfg).toMatch(/retry-on conn-failure empty-response response-timeout/);
    const ini = pgbouncerIni({ listen_port: "7000" }, "host=127.0.0.1 port=5432");
    expect(ini).toMatch(/^listen_port = 7000$/m);
    expect(ini).toMatch(/^pool_mode = transaction$/m);
    expect(ini).toMatch(/^\* = host=127\.0\.0\.1 port=5432$/m);
  });

  it.runIf(dockerCompose !== undefined)("is a valid compose file (docker-compose config)", () => {
    const out = execFileSync(dockerCompose![0]!, [...dockerCompose!.slice(1), "-f", `${SCALE_OUT_DIR}/compose.yml`, "config"], {
      env: { ...process.env, ADMIN_API_KEY: "scale-example-admin-key-0001", SECRETS_KEY: Buffer.alloc(32, 1).toString("base64") },
      encoding: "utf8",
    });
    const resolved = parse(out) as { services: Record<string, Service> };
    expect(resolved.services.replica2!.environment!.PORT).toBe("8082");
    expect(resolved.services.replica1!.environment!.DATABASE_DIRECT_URL).toBe(
      "postgresql://scimbridge:scimbridge@127.0.0.1:55432/scimbridge",
    );
  });
});
