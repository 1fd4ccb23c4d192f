import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

// Shared command-line flags of every benchmark script.

export interface BenchArgs {
  /** Seconds per measured scenario. */
  duration: number;
  concurrency: number[];
  /** Include the slow, big cases (1M users, 50 tenants at full size). */
  large: boolean;
  /** Write a CPU profile of the service (node --cpu-prof) into this directory. */
  cpuProf: string | undefined;
  /** Run the compiled dist/server.js (as the Docker image does; default) rather than src/server.ts through tsx. */
  dist: boolean;
  /** Only these scenarios (comma-separated names), when given. */
  only: string[] | undefined;
}

/** Every flag of every bench script, so `npm run bench -- <flags>` can pass any of them to all. */
export function benchFlags(argv = process.argv.slice(2)) {
  return parseArgs({
    args: argv,
    options: {
      duration: { type: "string", default: process.env.BENCH_DURATION ?? "5" },
      concurrency: { type: "string", default: process.env.BENCH_CONCURRENCY ?? "16,64" },
      large: { type: "boolean", default: process.env.BENCH_LARGE === "1" },
      "cpu-prof": { type: "string" },
      // the service runs as dist/server.js (built when stale) unless --tsx
      tsx: { type: "boolean", default: process.env.BENCH_TSX === "1" },
      only: { type: "string" },
      // floor comparison (bench:floor): which servers answer the SCIM scenarios
      targets: { type: "string", default: "floor,floor-unprepared,service" },
      // bench:floor without pgbench and the Node script (quick before/after runs of the SCIM scenarios)
      "skip-raw": { type: "boolean", default: false },
      // replay
      tenants: { type: "string" },
      users: { type: "string", default: "1000" },
      groups: { type: "string", default: "20" },
      members: { type: "string", default: "50" },
      batch: { type: "string", default: "10" },
      "tenant-concurrency": { type: "string", default: "1" },
      // growth
      sizes: { type: "string" },
      probes: { type: "string", default: "200" },
      // webhooks
      directories: { type: "string", default: "8" },
      "webhook-duration": { type: "string", default: "10" },
      worker: { type: "string", default: "inline" },
    },
    strict: true,
  }).values;
}

export function benchArgs(argv = process.argv.slice(2)): BenchArgs {
  const values = benchFlags(argv);
  return {
    duration: Number(values.duration),
    concurrency: values.concurrency.split(",").map(Number),
    large: values.large,
    cpuProf: values["cpu-prof"],
    dist: !values.tsx,
    only: values.only?.split(",").map((s) => s.trim()),
  };
}

/** True when this module is the script node was started with (so it runs its own main). */
export function isMain(metaUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(resolve(script)).href === metaUrl;
}
