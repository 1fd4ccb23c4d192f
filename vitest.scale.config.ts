import { defineConfig } from "vitest/config";

// `npm run test:scale` (issue 14): the service scaled out behind HAProxy and PgBouncer, as processes on loopback.
// Not part of `npm test`; CI runs it with REQUIRE_SCALE=1 (a missing haproxy or pgbouncer then fails).
export default defineConfig({
  test: {
    include: ["test/scale/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 300000,
    hookTimeout: 180000,
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
  },
});
