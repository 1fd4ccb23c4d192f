import http from "node:http";
import { performance } from "node:perf_hooks";
import { entraAddMembers, entraUser, GROUP_SCHEMA } from "../../bench/lib/entra-bodies.js";

// Entra's initial sync for one tenant, sent the way Entra's provisioning service sends it: one request at a time;
// for each user a match by userName (filter) then POST; for each group a match by displayName, POST with no
// members, then PATCH members in batches. Like Entra, a network error or a 5xx is retried (bounded, with
// backoff), and a POST that answers 409 uniqueness (an earlier attempt, by this client or by HAProxy, was stored but
// its answer lost) is resolved by matching again. Every acknowledged (2xx) write is logged, so a test can hold the database to it.

export interface SyncTenant {
  index: number;
  directoryId: string;
  /** Path of the Tenant URL, e.g. /scim/v2/<id> */
  scimPath: string;
  token: string;
}

export interface SyncShape {
  users: number;
  /** While this returns true a tenant keeps adding users past `users` (a test sizes the sync to span its faults). */
  moreUsers?: () => boolean;
  groups: number;
  membersPerGroup: number;
  memberBatch: number;
}

export interface AcknowledgedWrite {
  tenant: number;
  directoryId: string;
  kind: "user" | "group" | "members";
  /** The user or group id */
  id: string;
  userName?: string;
  displayName?: string;
  memberIds?: string[];
  status: number;
  /** 409 uniqueness on a POST that was sent again, then found by filter */
  resolvedConflict?: boolean;
}

export interface SyncLog {
  writes: AcknowledgedWrite[];
  /** Requests sent, counting every attempt */
  attempts: number;
  retries: number;
  /** Requests that finished with an answer Entra would not accept (the sync stops for that tenant) */
  failures: string[];
  /** Called after every attempt (answered or not): fault schedules count these. */
  onAttempt?: (latencyMs: number, status: number | undefined, problem?: string) => void;
}

export function newSyncLog(onAttempt?: SyncLog["onAttempt"]): SyncLog {
  return { writes: [], attempts: 0, retries: 0, failures: [], onAttempt };
}

export const syncUserName = (tenant: number, i: number) => `user${i}@tenant${tenant}.example`;
export const syncGroupName = (tenant: number, g: number) => `Tenant ${tenant} group ${g}`;

const MAX_ATTEMPTS = 12;
const REQUEST_TIMEOUT_MS = 30_000;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

class TenantClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly host: string;
  private readonly port: number;

  constructor(
    baseUrl: string,
    private readonly tenant: SyncTenant,
    private readonly log: SyncLog,
  ) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
  }

  private once(method: string, path: string, body?: unknown): Promise<Answer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          method,
          path: `${this.tenant.scimPath}${path}`,
          agent: this.agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            authorization: `Bearer ${this.tenant.token}`,
            accept: "application/scim+json",
            ...(payload ? { "content-type": "application/scim+json", "content-length": payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: Record<string, unknown> = {};
            try {
              parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
            } catch {
              parsed = { unparsed: text.slice(0, 200) };
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** Sends until an answer that is not a network error or 5xx (or 429), at most MAX_ATTEMPTS times. */
  async send(method: string, path: string, body?: unknown): Promise<Answer> {
    let lastProblem = "";
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (attempt > 1) {
        this.log.retries++;
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** (attempt - 2)) * (0.5 + Math.random())));
      }
      this.log.attempts++;
      const t0 = performance.now();
      try {
        const answer = await this.once(method, path, body);
        const ok = answer.status < 500 && answer.status !== 429;
        if (!ok) lastProblem = `${method} ${path}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;
        this.log.onAttempt?.(performance.now() - t0, answer.status, ok ? undefined : lastProblem);
        if (ok) return answer;
      } catch (err) {
        lastProblem = `${method} ${path}: ${(err as Error).message}`;
        this.log.onAttempt?.(performance.now() - t0, undefined, lastProblem);
      }
    }
    throw new Error(`gave up after ${MAX_ATTEMPTS} attempts (last: ${lastProblem})`);
  }

  close(): void {
    this.agent.destroy();
  }
}

function fail(method: string, path: string, answer: Answer): never {
  throw new Error(`${method} ${path} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
}

async function matchId(client: TenantClient, resource: "Users" | "Groups", filter: string): Promise<string | undefined> {
  const extra = resource === "Groups" ? "excludedAttributes=members&" : "";
  const path = `/${resource}?${extra}filter=${encodeURIComponent(filter)}`;
  const found = await client.send("GET", path);
  if (found.status !== 200) fail("GET", path, found);
  return (found.body.Resources as { id: string }[] | undefined)?.[0]?.id;
}

/** POST, or on a 409 after a retry (the first attempt was stored), the id the match finds. */
async function create(
  client: TenantClient,
  resource: "Users" | "Groups",
  body: unknown,
  filter: string,
): Promise<{ id: string; status: number; resolvedConflict: boolean }> {
  const created = await client.send("POST", `/${resource}`, body);
  if (created.status === 201) return { id: created.body.id as string, status: 201, resolvedConflict: false };
  // retried by this client or by HAProxy (retry-on empty-response): either way the first attempt may be stored
  if (created.status === 409 && created.body.scimType === "uniqueness") {
    const id = await matchId(client, resource, filter);
    if (id) return { id, status: 409, resolvedConflict: true };
  }
  fail("POST", `/${resource}`, created);
}

/** Runs the initial sync of one tenant; acknowledged writes go to `log.writes`. Throws when Entra would give up. */
export async function syncTenant(baseUrl: string, tenant: SyncTenant, shape: SyncShape, log: SyncLog): Promise<void> {
  const client = new TenantClient(baseUrl, tenant, log);
  const t = tenant.index;
  const ack = (w: Omit<AcknowledgedWrite, "tenant" | "directoryId">) =>
    log.writes.push({ tenant: t, directoryId: tenant.directoryId, ...w });
  try {
    const userIds: string[] = [];
    for (let i = 0; i < shape.users || shape.moreUsers?.(); i++) {
      const userName = syncUserName(t, i);
      const filter = `userName eq "${userName}"`;
      let id = await matchId(client, "Users", filter);
      if (!id) {
        const created = await create(client, "Users", entraUser(userName, `ext-${t}-${i}`), filter);
        id = created.id;
        ack({ kind: "user", id, userName, status: created.status, resolvedConflict: created.resolvedConflict });
      }
      userIds.push(id);
    }
    for (let g = 0; g < shape.groups; g++) {
      const displayName = syncGroupName(t, g);
      const filter = `displayName eq "${displayName}"`;
      let id = await matchId(client, "Groups", filter);
      if (!id) {
        const body = { schemas: [GROUP_SCHEMA], displayName, externalId: `ext-${t}-g${g}`, members: [] };
        const created = await create(client, "Groups", body, filter);
        id = created.id;
        ack({ kind: "group", id, displayName, status: created.status, resolvedConflict: created.resolvedConflict });
      }
      const members = Array.from({ length: shape.membersPerGroup }, (_, k) => userIds[(g * shape.membersPerGroup + k) % userIds.length]!);
      for (let k = 0; k < members.length; k += shape.memberBatch) {
        const batch = members.slice(k, k + shape.memberBatch);
        const path = `/Groups/${id}`;
        const patched = await client.send("PATCH", path, entraAddMembers(batch));
        if (patched.status !== 200 && patched.status !== 204) fail("PATCH", path, patched);
        ack({ kind: "members", id, displayName, memberIds: batch, status: patched.status });
      }
    }
  } finally {
    client.close();
  }
}

/** Every tenant's sync at once (one request in flight per tenant); failures are collected in `log.failures`. */
export async function syncTenants(baseUrl: string, tenants: SyncTenant[], shape: SyncShape, log: SyncLog): Promise<void> {
  await Promise.all(
    tenants.map((tenant) =>
      syncTenant(baseUrl, tenant, shape, log).catch((err: Error) => {
        log.failures.push(`tenant ${tenant.index}: ${err.message}`);
      }),
    ),
  );
}
