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
  /** Run the compiled dist/server.js instead of src/server.ts through tsx. */
  dist: boolean;
  /** Only these scenarios (comma-separated names), when given. */
  only: string[] | undefined;
}

export function benchArgs(argv = process.argv.slice(2)): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: "string", default: process.env.BENCH_DURATION ?? "5" },
      concurrency: { type: "string", default: process.env.BENCH_CONCURRENCY ?? "16,64" },
      large: { type: "boolean", default: process.env.BENCH_LARGE === "1" },
      "cpu-prof": { type: "string" },
      dist: { type: "boolean", default: process.env.BENCH_DIST === "1" },
      only: { type: "string" },
    },
    strict: true,
  });
  return {
    duration: Number(values.duration),
    concurrency: values.concurrency.split(",").map(Number),
    large: values.large,
    cpuProf: values["cpu-prof"],
    dist: values.dist,
    only: values.only?.split(",").map((s) => s.trim()),
  };
}

/** True when this module is the script node was started with (so it runs its own main). */
export function isMain(metaUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(resolve(script)).href === metaUrl;
}
