import type { Config } from "../config.js";
import type { Database } from "../db/database.js";

// What every CLI command gets (context) and how it reads its options; usage errors exit 2.

export class UsageError extends Error {}

export interface CommandContext {
  db: Database;
  config: Config;
  out: (line: string) => void;
  /** Notes for the operator (stderr), kept apart from the data on stdout. */
  note: (line: string) => void;
  /** Aborted on Ctrl-C / SIGTERM: long-running commands (events tail) stop cleanly. */
  signal: AbortSignal;
}

export type Options = Record<string, string | boolean | undefined>;

export function required(options: Options, name: string): string {
  const v = options[name];
  if (typeof v !== "string" || v.trim() === "") throw new UsageError(`--${name} is required`);
  return v;
}

export function optional(options: Options, name: string): string | undefined {
  const v = options[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

export function limitOf(options: Options): number {
  const raw = optional(options, "limit") ?? "50";
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new UsageError("--limit must be an integer from 1 to 500");
  return n;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function idOf(options: Options, name: string, what: string): string {
  const id = required(options, name);
  if (!UUID.test(id)) throw new UsageError(`--${name} must be a ${what} id (uuid)`);
  return id;
}

export function directoryIdOf(options: Options): string {
  return idOf(options, "directory", "directory");
}
