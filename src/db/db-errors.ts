// Recognises Postgres failures through pg and Prisma's driver-adapter wrapping alike.

const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53000", // insufficient_resources
  "53100", // disk_full
  "53200", // out_of_memory
  "53300", // too_many_connections
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "P1001",
  "P1002",
  "P1017",
]);

const UNAVAILABLE_MESSAGES = [
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "Client has encountered a connection error",
  "Cannot use a pool after calling end",
  "the database system is",
];

/** Walks err, err.cause and Prisma's meta to collect every code and message in the chain. */
function chain(err: unknown): { codes: string[]; messages: string[] } {
  const codes: string[] = [];
  const messages: string[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number) => {
    if (!e || typeof e !== "object" || seen.has(e) || depth > 6) return;
    seen.add(e);
    const o = e as Record<string, unknown>;
    for (const key of ["code", "originalCode", "kind"]) if (typeof o[key] === "string") codes.push(o[key] as string);
    if (typeof o.message === "string") messages.push(o.message);
    visit(o.cause, depth + 1);
    visit(o.meta, depth + 1);
    visit(o.driverAdapterError, depth + 1);
  };
  visit(err, 0);
  return { codes, messages };
}

export function isDatabaseUnavailable(err: unknown): boolean {
  const { codes, messages } = chain(err);
  return (
    codes.some((c) => UNAVAILABLE_CODES.has(c) || c === "DatabaseNotReachable" || c === "ConnectionClosed") ||
    messages.some((m) => UNAVAILABLE_MESSAGES.some((needle) => m.includes(needle)))
  );
}

export function isStatementTimeout(err: unknown): boolean {
  return chain(err).codes.some((c) => c === "57014" || c === "SocketTimeout");
}

export function isUniqueViolation(err: unknown): boolean {
  return chain(err).codes.some((c) => c === "23505" || c === "P2002" || c === "UniqueConstraintViolation");
}

export function isForeignKeyViolation(err: unknown): boolean {
  return chain(err).codes.some((c) => c === "23503" || c === "P2003" || c === "ForeignKeyConstraintViolation");
}

export function isSerializationFailure(err: unknown): boolean {
  return chain(err).codes.some((c) => c === "40001" || c === "40P01" || c === "P2034" || c === "TransactionWriteConflict");
}

/** Text Postgres cannot store (a NUL character, `\u0000` in JSON): the client's data, not a server fault. */
export function isUnstorableText(err: unknown): boolean {
  return chain(err).codes.some((c) => c === "22021" || c === "22P05");
}

/**
 * Postgres refused a value of the statement (SQLSTATE class 22, data exception, or 23, integrity constraint
 * violation): retrying the same rows fails again, while the same statement without the row at fault succeeds.
 */
export function isRowDataError(err: unknown): boolean {
  return chain(err).codes.some((c) => /^2[23][0-9A-Z]{3}$/.test(c));
}
