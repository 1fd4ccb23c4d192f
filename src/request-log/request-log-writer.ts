import type { SqlRunner } from "../db/database.js";
import { isRowDataError } from "../db/db-errors.js";
import { insertScimRequests, type ScimRequestRow } from "./request-log-store.js";

// Batches SCIM request log rows so logging never sits on the SCIM request path: rows are buffered in
// memory and written by ONE multi-row INSERT when the batch fills (maxBatch rows) or flushMs after the
// first buffered row, whichever comes first. Flushes run one after another (rows keep their order).
// Rows for a directory that does not exist are dropped by the INSERT itself (request-log-store.ts).
// One bad row never costs the others: when Postgres refuses a value of a batch (a data or constraint error,
// say a directory deleted mid-flush), the batch is halved until the row at fault is alone, and only it is dropped.

export interface RequestLogWriterOptions {
  flushMs?: number;
  maxBatch?: number;
  /** Rows held at most while the database is slow or down; beyond that new rows are dropped (and counted). */
  maxBuffered?: number;
  /** Rows that could not be written (already counted in `dropped`), with the error that lost them. */
  onError?: (err: unknown, lost: readonly ScimRequestRow[]) => void;
}

export class RequestLogWriter {
  private buffer: ScimRequestRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** Directories that received rows since the last takeTouchedDirectories(): what count-based pruning checks. */
  private touched = new Set<string>();
  dropped = 0;
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly maxBuffered: number;

  constructor(
    private readonly db: SqlRunner,
    private readonly options: RequestLogWriterOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 500;
    this.maxBatch = options.maxBatch ?? 200;
    this.maxBuffered = options.maxBuffered ?? 10_000;
  }

  add(row: ScimRequestRow): void {
    if (this.closed || this.buffer.length >= this.maxBuffered) {
      this.dropped++;
      return;
    }
    this.buffer.push(row);
    if (this.buffer.length >= this.maxBatch) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  get pending(): number {
    return this.buffer.length;
  }

  /** Writes everything buffered so far; resolves when it is in the database (or failed and was reported). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const rows = this.buffer;
    this.buffer = [];
    if (rows.length === 0) return this.chain;
    this.chain = this.chain.then(() => this.write(rows));
    return this.chain;
  }

  takeTouchedDirectories(): string[] {
    const ids = [...this.touched];
    this.touched.clear();
    return ids;
  }

  /** Stops accepting rows and writes what is left. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private async write(rows: ScimRequestRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += this.maxBatch) await this.insert(rows.slice(i, i + this.maxBatch));
  }

  /** k bad rows among n cost about 2·k·log2(n) extra statements; good batches stay one statement. */
  private async insert(rows: ScimRequestRow[]): Promise<void> {
    try {
      await insertScimRequests(this.db, rows);
      for (const r of rows) this.touched.add(r.directoryId);
    } catch (err) {
      if (rows.length > 1 && isRowDataError(err)) {
        const half = Math.ceil(rows.length / 2);
        await this.insert(rows.slice(0, half));
        await this.insert(rows.slice(half));
        return;
      }
      // the log is diagnostics: losing rows (database down, a value Postgres refuses) must not hurt SCIM
      this.dropped += rows.length;
      this.options.onError?.(err, rows);
    }
  }
}
