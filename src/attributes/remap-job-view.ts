import type { AttributeRemapJob } from "../generated/prisma/client.js";

// The remap job of a directory as the admin API shows it.

export interface RemapJobView {
  /** pending: waiting for a process to claim it; running; done. A failed batch is retried (see `error`). */
  state: "pending" | "running" | "done";
  /** Users of the directory when the job started (0 while pending). */
  total: number;
  processed: number;
  /** Users whose attributes changed (each got a user.updated). */
  changed: number;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
}

export function remapJobView(row: AttributeRemapJob): RemapJobView {
  return {
    state: row.state as RemapJobView["state"],
    total: row.total,
    processed: row.processed,
    changed: row.changed,
    requestedAt: row.requestedAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    error: row.error,
  };
}
