#!/usr/bin/env node
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config.js";
import { createDatabase } from "../db/database.js";
import { DataDirInUse } from "../db/embedded-postgres.js";
import { migrate } from "../db/migrate.js";
import { resolveDatabase } from "../db/resolve-database.js";
import { DirectoryNotFound } from "../directories/directory-service.js";
import { TokenLimitReached, TokenNotFound } from "../directories/directory-tokens.js";
import { InvalidCursor } from "../pagination/cursor.js";
import { ScimError } from "../scim/errors.js";
import { UsageError } from "./command-context.js";
import { COMMANDS, USAGE } from "./commands.js";

// `scimbridge <noun> <verb> [--options]`: the operator CLI. Exit codes: 0 ok, 1 failed, 2 usage.

const OPTIONS = {
  name: { type: "string" },
  tenant: { type: "string" },
  product: { type: "string" },
  provider: { type: "string" },
  directory: { type: "string" },
  token: { type: "string" },
  filter: { type: "string" },
  limit: { type: "string" },
  cursor: { type: "string" },
  after: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) throw new UsageError((err as Error).message);
    throw err;
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("missing command");
  const name = positionals.slice(0, 2).join(" ");
  const command = COMMANDS[name];
  if (!command || positionals.length > 2) throw new UsageError(`unknown command "${positionals.join(" ")}"`);
  for (const option of Object.keys(values)) {
    if (option !== "json" && !command.options.includes(option)) throw new UsageError(`--${option} is not an option of "${name}"`);
  }

  const config = loadConfig(process.env);
  const stop = new AbortController();
  // `on`, not `once`: a Ctrl-C reaches both bin/scimbridge.js (which forwards it) and this process
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stop.abort());
  // quiet: a borrowed or short-lived embedded database is not news on every call
  const database = await resolveDatabase(config, "command", () => {});
  try {
    // migrations hold a session (advisory lock): over the direct URL, never through a pooler
    await migrate(database.directUrl);
    const db = createDatabase({
      url: database.url,
      poolSize: 2,
      statementTimeoutMs: config.statementTimeoutMs,
      sessionTimeouts: database.url === database.directUrl,
      preparedStatements: config.dbPreparedStatements,
    });
    try {
      const ctx = {
        db,
        config,
        out: (line: string) => process.stdout.write(`${line}\n`),
        note: (line: string) => process.stderr.write(`${line}\n`),
        signal: stop.signal,
      };
      await command.run(ctx, values);
    } finally {
      await db.close();
    }
  } finally {
    await database.stop();
  }
  return 0;
}

function fail(message: string, code: number): number {
  process.stderr.write(`scimbridge: ${message}\n`);
  return code;
}

main(process.argv.slice(2))
  .catch((err: unknown) => {
    if (err instanceof UsageError) return fail(`${err.message}\n\n${USAGE}`, 2);
    if (err instanceof ConfigError) return fail(`invalid configuration: ${err.message}`, 1);
    if (err instanceof DataDirInUse) return fail(err.message, 1);
    if (err instanceof DirectoryNotFound) return fail("directory not found", 1);
    if (err instanceof TokenNotFound) return fail("token not found in this directory", 1);
    if (err instanceof TokenLimitReached || err instanceof InvalidCursor) return fail(err.message, 1);
    if (err instanceof ScimError) return fail(err.detail, 1);
    return fail(err instanceof Error ? (err.stack ?? err.message) : String(err), 1);
  })
  .then((code) => {
    process.exitCode = code;
  });
