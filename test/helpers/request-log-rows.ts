import type { ScimRequestRow } from "../../src/request-log/request-log-store.js";

/** A request-log row as the capture hook writes it: an authenticated GET /Users answered 200, unless overridden. */
export function requestLogRow(directoryId: string, overrides: Partial<ScimRequestRow> = {}): ScimRequestRow {
  return {
    directoryId,
    at: new Date(),
    method: "GET",
    path: "/Users",
    query: null,
    status: 200,
    scimType: null,
    detail: null,
    durationMs: 1,
    clientRequestId: null,
    body: null,
    authenticated: true,
    ...overrides,
  };
}
