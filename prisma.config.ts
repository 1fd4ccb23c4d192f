import path from "node:path";
import { defineConfig } from "prisma/config";

// Prisma 7's CLI only checks that a schema-engine file exists before `generate`; it never runs it.
// No engine binary can be downloaded here, so point it at a file that is always present.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve("package.json");

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
