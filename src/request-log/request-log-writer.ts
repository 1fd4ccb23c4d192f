import type { SqlRunner } from "../db/database.js";
import { insertScimRequests, type ScimRequestRow } from "./request-log-store.js";

// Batches SCIM request log rows so logging never sits on the SCIM request path: rows are buffered in
// memory and written by ONE multi-row INSERT when the batch fills (maxBatch rows) or flushMs after the
// first buffered row, whichever comes first. Flushes run one after another (rows keep their order).
// Rows for a directory that does not exist are dropped by the INSERT itself (request-log-store.ts).

export interface RequestLogWriterOptions {
  flushMs?: number;
  maxBatch?: number;
  /** Rows held at most while the database is slow or down; beyond that new rows are dropped (and counted). */
  maxBuffered?: number;
  onError?: (err: unknown, rows: number) => void;
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
    for (let i = 0; i < rows.length; i += this.maxBatch) {
      const batch = rows.slice(i, i + this.maxBatch);
      try {
        await insertScimRequests(this.db, batch);
        for (const r of batch) this.touched.add(r.directoryId);
      } catch (err) {
        // the log is diagnostics: losing a batch (database down, directory deleted mid-flush) must not hurt SCIM
        this.dropped += batch.length;
        this.options.onError?.(err, batch.length);
      }
    }
  }
}
