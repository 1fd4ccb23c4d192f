import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/soak/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 600000,
    hookTimeout: 120000,
    pool: "forks",
    maxWorkers: 1,
  },
});
