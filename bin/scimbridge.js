#!/usr/bin/env node
// The operator CLI. In a development checkout (tsx installed) it runs the TypeScript source, so it is never
// stale; in an install without dev dependencies (the Docker image) it runs the compiled dist/cli/main.js
// (`npm run build`), which needs no tsx.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const source = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const compiled = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

function tsxCli() {
  try {
    return require.resolve("tsx/cli");
  } catch {
    return undefined;
  }
}

const tsx = existsSync(source) ? tsxCli() : undefined;
if (!tsx && !existsSync(compiled)) {
  process.stderr.write("scimbridge: the CLI is not built: run `npm run build` (or `npm ci` with dev dependencies)\n");
  process.exit(1);
}
const args = tsx ? [tsx, source] : [compiled];
const child = spawn(process.execPath, [...args, ...process.argv.slice(2)], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
