import { type FailedRequest, type ProvisioningStatus, UNAUTHENTICATED_WINDOW_HOURS } from "../../request-log/provisioning-status.js";

// The status panel's words, built once on the server: the first page render and the JSON the page
// polls both carry them, so the inline script only copies strings into place.

export type StatusState = "waiting" | "connected" | "failing";

export interface StatusDisplay {
  state: StatusState;
  headline: string;
  lastRequest: string;
  testConnection: string;
  users: string;
  groups: string;
  /** How many requests came without a valid token: a count only, never their (anyone's) text. */
  unauthenticated: string;
  errors: { title: string; detail: string }[];
}

const REASONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export function formatTime(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

function statusText(status: number): string {
  return REASONS[status] ? `${status} ${REASONS[status]}` : String(status);
}

function errorDetail(r: FailedRequest): string {
  const detail = r.detail ?? "no detail";
  return r.scimType ? `${detail} (scimType ${r.scimType})` : detail;
}

function unauthenticatedText(n: number): string {
  const window = `in the last ${UNAUTHENTICATED_WINDOW_HOURS} h`;
  if (n === 0) return `No requests without a valid token ${window}.`;
  return `${n} ${n === 1 ? "request" : "requests"} without a valid token ${window}. Anyone who knows the Tenant URL can send these, so they are only counted here. If your identity provider reports "unauthorized", check its Secret Token.`;
}

export function statusDisplay(s: ProvisioningStatus): StatusDisplay {
  const attempt = s.testConnection.lastAttempt;
  const lastFailed = s.lastRequest !== null && s.lastRequest.status >= 400;
  const state: StatusState = !s.lastRequest ? "waiting" : lastFailed ? "failing" : "connected";
  let headline: string;
  // a fixed sentence, never the requests' own text: anyone who knows the Tenant URL can send them
  if (!s.lastRequest && s.unauthenticatedRecently > 0)
    headline = "Requests arrive, but none with a valid token yet: check the Secret Token";
  else if (!s.lastRequest) headline = "Waiting for the first request from your identity provider";
  else if (lastFailed && s.lastRequest.status === 401) headline = "Requests arrive but are not authorized: check the Secret Token";
  else if (lastFailed) headline = "Requests arrive, the last one failed: see the errors below";
  else if (s.users + s.groups > 0) headline = "Provisioning is working";
  else if (s.testConnection.seen) headline = "Test Connection succeeded";
  else headline = "Your identity provider is connected";

  let testConnection: string;
  if (!attempt) testConnection = "Not seen yet";
  else if (attempt.status < 300) testConnection = `Succeeded at ${formatTime(attempt.at)}`;
  else {
    testConnection = `Last attempt failed at ${formatTime(attempt.at)}: ${statusText(attempt.status)}, ${errorDetail(attempt)}`;
    if (s.testConnection.seen) testConnection += " (an earlier attempt succeeded)";
  }

  return {
    state,
    headline,
    lastRequest: s.lastRequest
      ? `${s.lastRequest.method} ${s.lastRequest.path} → ${statusText(s.lastRequest.status)} at ${formatTime(s.lastRequest.at)}`
      : "None yet",
    testConnection,
    users: String(s.users),
    groups: String(s.groups),
    unauthenticated: unauthenticatedText(s.unauthenticatedRecently),
    errors: s.recentErrors.map((e) => ({
      title: `${statusText(e.status)}: ${e.method} ${e.path} at ${formatTime(e.at)}`,
      detail: errorDetail(e),
    })),
  };
}
