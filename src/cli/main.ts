import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config.js";
import { createDatabase } from "../db/database.js";
import { migrate } from "../db/migrate.js";
import { resolveDatabase } from "../db/resolve-database.js";
import { DirectoryNotFound } from "../directories/directory-service.js";
import { TokenLimitReached } from "../directories/directory-tokens.js";
import { InvalidCursor } from "../pagination/cursor.js";
import { ScimError } from "../scim/errors.js";
import { COMMANDS, USAGE, UsageError } from "./commands.js";

// `scimbridge <noun> <verb> [--options]`: the operator CLI. Exit codes: 0 ok, 1 failed, 2 usage.

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      name: { type: "string" },
      tenant: { type: "string" },
      product: { type: "string" },
      provider: { type: "string" },
      directory: { type: "string" },
      filter: { type: "string" },
      limit: { type: "string" },
      cursor: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const command = COMMANDS[positionals.slice(0, 2).join(" ")];
  if (values.help || !command || positionals.length > 2) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  const config = loadConfig(process.env);
  const database = await resolveDatabase(config, (line) => process.stderr.write(`${line}\n`));
  try {
    await migrate(database.url);
    const db = createDatabase({ url: database.url, poolSize: 2, statementTimeoutMs: config.statementTimeoutMs });
    try {
      await command({ db, config, out: (line) => process.stdout.write(`${line}\n`) }, values);
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
    if (err instanceof TypeError && (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) return fail(`${err.message}\n\n${USAGE}`, 2);
    if (err instanceof ConfigError) return fail(`invalid configuration: ${err.message}`, 1);
    if (err instanceof DirectoryNotFound) return fail("directory not found", 1);
    if (err instanceof TokenLimitReached || err instanceof InvalidCursor) return fail(err.message, 1);
    if (err instanceof ScimError) return fail(err.detail, 1);
    return fail(err instanceof Error ? (err.stack ?? err.message) : String(err), 1);
  })
  .then((code) => {
    process.exitCode = code;
  });
