import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// No Docker engine runs here, so the image and compose file are checked statically against the code:
// the scripts they run exist, the port and health endpoint agree, the env vars are ones the config reads.

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};
const dockerfile = readFileSync("Dockerfile", "utf8");
const compose = parse(readFileSync("docker-compose.yml", "utf8")) as {
  services: Record<string, Record<string, unknown>>;
  volumes?: Record<string, unknown>;
};
const configSource = readFileSync("src/config.ts", "utf8");

interface Stage {
  name: string;
  base: string;
  lines: string[];
}

function stages(): Stage[] {
  const out: Stage[] = [];
  // join continuation lines, drop comments
  const logical = dockerfile.replace(/\\\n/g, " ").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
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

  it("is multi-stage on an official Node image", () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const s of all) expect(s.base).toMatch(/^node:\d+/);
  });

  it("builds with the package.json build script and ships only production dependencies", () => {
    const build = all[0].lines.join("\n");
    expect(pkg.scripts.build).toBeDefined();
    expect(build).toMatch(/RUN npm ci\b/);
    expect(build).toContain("RUN npm run build");
    expect(final.lines.join("\n")).toMatch(/RUN npm ci --omit=dev/);
    expect(final.lines.some((l) => /^COPY --from=\S+ \/app\/dist/.test(l))).toBe(true);
    expect(final.lines.some((l) => l.startsWith("COPY prisma/migrations"))).toBe(true);
  });

  it("runs as a non-root user", () => {
    const user = final.lines.filter((l) => l.startsWith("USER ")).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/USER\s+(root|0)\b/);
  });

  it("starts what `npm run start:prod` starts, which the build produces", () => {
    const cmd = final.lines.find((l) => l.startsWith("CMD "))!;
    const argv = JSON.parse(cmd.slice(4)) as string[];
    expect(argv.join(" ")).toBe(pkg.scripts["start:prod"]);
    expect(pkg.scripts["start:prod"]).toBe("node dist/server.js");
    const tsconfig = JSON.parse(readFileSync("tsconfig.build.json", "utf8"));
    expect(tsconfig.compilerOptions.outDir).toBe("dist");
    expect(tsconfig.compilerOptions.rootDir).toBe("src");
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
});

describe("docker-compose.yml", () => {
  const db = compose.services.db;
  const app = compose.services.scimbridge;

  it("runs PostgreSQL 16 with a healthcheck", () => {
    expect(String(db.image)).toMatch(/^postgres:16/);
    expect(JSON.stringify(db.healthcheck)).toContain("pg_isready");
  });

  it("builds the service from the Dockerfile and waits for a healthy database", () => {
    expect(app.build).toBe(".");
    expect(app.depends_on).toEqual({ db: { condition: "service_healthy" } });
  });

  it("points DATABASE_URL at the compose database with its credentials", () => {
    const env = app.environment as Record<string, string>;
    const dbEnv = db.environment as Record<string, string>;
    const url = new URL(env.DATABASE_URL);
    expect(url.hostname).toBe("db");
    expect(decodeURIComponent(url.username)).toBe(dbEnv.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(dbEnv.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${dbEnv.POSTGRES_DB}`);
  });

  it("passes only variables the config reads, and publishes the service port", () => {
    const env = app.environment as Record<string, string>;
    for (const name of Object.keys(env)) expect(configSource).toContain(`"${name}"`);
    expect(env.PORT).toBe("8080");
    expect(app.ports).toContain("8080:8080");
  });

  it("health-checks /healthz and keeps DATA_DIR on a volume", () => {
    expect(JSON.stringify(app.healthcheck)).toContain("/healthz");
    const env = app.environment as Record<string, string>;
    expect(app.volumes).toContain(`scimbridge-data:${env.DATA_DIR}`);
    expect(compose.volumes).toHaveProperty("scimbridge-data");
  });
});
