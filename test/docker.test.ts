import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// The image and the compose files, checked statically against the code: the variables they pass are ones the
// config reads, every documented variable reaches the service, and the host-network override fits the base file.
// `npm run test:docker` (test/docker/compose-run.ts) builds and runs them on a real Docker engine.

type Service = Record<string, unknown> & { environment?: Record<string, string> };
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown> };

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> };
const dockerfile = readFileSync("Dockerfile", "utf8");
const compose = parse(readFileSync("docker-compose.yml", "utf8")) as Compose;
const publish = parse(readFileSync("docker-compose.override.yml", "utf8")) as Compose;
const hostNetwork = parse(readFileSync("docker/compose.host-network.yml", "utf8")) as Compose;
const configSource = readFileSync("src/config.ts", "utf8");
/** A compose interpolation, `${body}` (built up so no string literal looks like a forgotten template). */
const ref = (body: string) => ["$", "{", body, "}"].join("");
const envExample = [...readFileSync(".env.example", "utf8").matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]);

interface Stage {
  name: string;
  base: string;
  lines: string[];
}

function stages(): Stage[] {
  const out: Stage[] = [];
  // join continuation lines, drop comments
  const logical = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  for (const line of logical) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ base: from[1], name: from[2] ?? String(out.length), lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

describe("Dockerfile", () => {
  const all = stages();
  const final = all.at(-1)!;

  it("is multi-stage on a base image given as a build argument, the official Node 24 image by default", () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    for (const s of all) expect(s.base).toBe(ref("NODE_IMAGE"));
  });

  it("installs with dependency set-up scripts, builds, and ships only production dependencies", () => {
    const build = all[0].lines.join("\n");
    expect(build).toMatch(/RUN npm ci\b/);
    // the embedded PostgreSQL platform package's set-up script (library symlinks) must run
    expect(build).not.toContain("--ignore-scripts");
    expect(build).toMatch(/npm run build/);
    expect(build).toMatch(/npm install --omit=dev/);
    expect(final.lines.some((l) => /^COPY --from=build \/app\/node_modules/.test(l))).toBe(true);
    expect(final.lines.some((l) => /^COPY --from=build \/app\/dist/.test(l))).toBe(true);
    expect(final.lines.some((l) => l.startsWith("COPY prisma/migrations"))).toBe(true);
    expect(final.lines.join("\n")).not.toMatch(/npm (ci|install)/);
  });

  it("runs as the non-root node user", () => {
    expect(final.lines.filter((l) => l.startsWith("USER ")).at(-1)).toBe("USER node");
  });

  it("starts what `npm run start:prod` starts, and puts the compiled CLI on PATH as scimbridge, without tsx", () => {
    const cmd = final.lines.find((l) => l.startsWith("CMD "))!;
    const argv = JSON.parse(cmd.slice(4)) as string[];
    expect(argv.join(" ")).toBe(pkg.scripts["start:prod"]);
    expect(pkg.scripts["start:prod"]).toBe("node dist/server.js");
    const tsconfig = JSON.parse(readFileSync("tsconfig.build.json", "utf8"));
    expect(tsconfig.compilerOptions.outDir).toBe("dist");
    expect(tsconfig.compilerOptions.rootDir).toBe("src");
    readFileSync("src/cli/main.ts", "utf8");
    expect(final.lines.join("\n")).toContain("exec node /app/dist/cli/main.js");
    expect(final.lines.join("\n")).toContain("/usr/local/bin/scimbridge");
    expect(final.lines.join("\n")).not.toContain("tsx");
  });

  it("exposes the default PORT and health-checks /healthz on it", () => {
    expect(final.lines).toContain("EXPOSE 8080");
    expect(configSource).toContain('int(env, "PORT", 8080');
    const health = final.lines.find((l) => l.startsWith("HEALTHCHECK"))!;
    expect(health).toContain("/healthz");
    expect(health).toContain("process.env.PORT||8080");
  });

  it("sets only environment variables the config reads", () => {
    const env = final.lines.filter((l) => l.startsWith("ENV ")).join(" ");
    for (const name of [...env.matchAll(/([A-Z_]+)=/g)].map((m) => m[1])) {
      expect(configSource).toContain(`"${name}"`);
    }
  });

  it("sends no local state into the build context", () => {
    const ignored = readFileSync(".dockerignore", "utf8").split("\n");
    for (const path of ["node_modules", ".data", "dist", ".env", "src/generated"]) expect(ignored).toContain(path);
  });
});

describe("docker-compose.yml", () => {
  const db = compose.services.db;
  const app = compose.services.scimbridge;
  const env = app.environment!;

  it("passes every variable of .env.example to the service, from a .env file or the shell, with no .env required", () => {
    expect(envExample.length).toBeGreaterThan(30);
    expect(Object.keys(env).sort()).toEqual([...envExample].sort());
    for (const name of envExample) {
      if (name === "DATA_DIR") continue;
      // interpolation reads .env when present (Compose v1 and v2 alike); unset or empty means the config default
      expect(env[name], name).toMatch(new RegExp(`^\\$\\{${name}:-[^}]*\\}$`));
    }
    // env_file would fail without a .env on Compose v1 and before v2.24
    expect(app).not.toHaveProperty("env_file");
  });

  it("passes only variables the config reads", () => {
    for (const name of Object.keys(env)) expect(configSource).toContain(`"${name}"`);
  });

  it("keeps DATA_DIR on a volume and health-checks readiness on the configured port", () => {
    expect(env.DATA_DIR).toBe("/data");
    expect(app.volumes).toContain("scimbridge-data:/data");
    expect(compose.volumes).toHaveProperty("scimbridge-data");
    expect(JSON.stringify(app.healthcheck)).toContain("/readyz");
    expect(JSON.stringify(app.healthcheck)).toContain("process.env.PORT||8080");
  });

  it("points DATABASE_URL at the compose database with its credentials, and waits for it to be healthy", () => {
    const dbEnv = db.environment!;
    const url = new URL(/^\$\{DATABASE_URL:-(.*)\}$/.exec(env.DATABASE_URL)![1]);
    expect(url.hostname).toBe("db");
    expect(decodeURIComponent(url.username)).toBe(dbEnv.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(dbEnv.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${dbEnv.POSTGRES_DB}`);
    expect(app.depends_on).toEqual({ db: { condition: "service_healthy" } });
    expect(JSON.stringify(db.healthcheck)).toContain("pg_isready");
  });

  it("takes every image name from a variable, so local stand-ins can replace them", () => {
    expect(db.image).toBe(ref("POSTGRES_IMAGE:-postgres:16-alpine"));
    expect(app.image).toMatch(/^\$\{SCIMBRIDGE_IMAGE:-/);
    expect(app.build).toEqual({ context: ".", args: { NODE_IMAGE: ref("NODE_IMAGE:-node:24-bookworm-slim") } });
    expect(compose.services.prometheus.image).toMatch(/^\$\{PROMETHEUS_IMAGE:-prom\/prometheus:/);
    expect(compose.services.grafana.image).toMatch(/^\$\{GRAFANA_IMAGE:-grafana\/grafana:/);
  });

  it("runs Prometheus and Grafana only with the observability profile, provisioned from docker/", () => {
    for (const name of ["prometheus", "grafana"]) expect(compose.services[name].profiles).toEqual(["observability"]);
    for (const name of ["db", "scimbridge"]) expect(compose.services[name]).not.toHaveProperty("profiles");
    expect(compose.services.grafana.volumes).toContain("./docker/observability/grafana/dashboards:/var/lib/grafana/dashboards:ro");
  });

  it("publishes ports only in docker-compose.override.yml, which `docker compose up` reads by itself", () => {
    for (const s of Object.values(compose.services)) {
      expect(s).not.toHaveProperty("ports");
      expect(s).not.toHaveProperty("network_mode");
    }
    expect(publish.services.scimbridge.ports).toEqual([`${ref("PORT:-8080")}:${ref("PORT:-8080")}`]);
  });
});

describe("docker/compose.host-network.yml", () => {
  it("puts every service on the host network, with no published ports", () => {
    expect(Object.keys(hostNetwork.services).sort()).toEqual(Object.keys(compose.services).sort());
    for (const s of Object.values(hostNetwork.services)) {
      expect(s.network_mode).toBe("host");
      expect(s).not.toHaveProperty("ports");
    }
  });

  it("moves PostgreSQL off 5432 to a loopback port the service connects to, and keeps the service on loopback", () => {
    const db = hostNetwork.services.db;
    const app = hostNetwork.services.scimbridge;
    expect(db.environment!.PGPORT).toBe(ref("POSTGRES_PORT:-55432"));
    expect(db.command).toEqual(["postgres", "-c", "listen_addresses=127.0.0.1"]);
    const url = new URL(app.environment!.DATABASE_URL.replace(ref("POSTGRES_PORT:-55432"), "55432"));
    expect(url.hostname).toBe("127.0.0.1");
    expect(url.port).toBe("55432");
    expect(app.environment!.HOST).toBe("127.0.0.1");
    expect(app.build).toEqual({ network: "host" });
  });
});
