import { defineConfig } from "vitest/config";

// Tests that start real processes (the service, the worker, the CLI, Chromium) run after the rest, one
// file at a time, so their start-up timings are not measured against a CPU busy with other test files.
const PROCESS_TESTS = [
  "test/server.test.ts",
  "test/embedded-database.test.ts",
  "test/cli/**/*.test.ts",
  "test/webhooks/worker-process.test.ts",
  "test/browser/**/*.test.ts",
];

export default defineConfig({
  test: {
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 30000,
    hookTimeout: 60000,
    pool: "forks",
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: ["test/soak/**", "test/scale/**", "node_modules/**", ...PROCESS_TESTS],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "processes",
          include: PROCESS_TESTS,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
