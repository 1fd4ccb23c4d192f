import { type LiveDirectory, newGroup, newUser, patchBody, type ScimResponse } from "./live-service.js";

// An Entra-like provisioning cycle, written the way Entra behaves (see shared/notes/entra-scim-behaviour.md):
// look a user up by userName before creating it, create if absent, then update; create the group if absent
// and add members in small PATCH batches. Re-running it after a failure converges (Entra retries the same
// way), which is what the kill -9 test relies on.

export interface ReplayRecord {
  method: string;
  path: string;
  /** undefined: no response (connection reset, process killed) */
  status?: number;
  body?: Record<string, unknown>;
  /** member ids a members PATCH carried */
  memberIds?: string[];
}

export interface Replay {
  records: ReplayRecord[];
  stopped: boolean;
}

const q = (s: string) => encodeURIComponent(s);

async function call(
  dir: LiveDirectory,
  replay: Replay,
  method: string,
  path: string,
  body?: unknown,
  memberIds?: string[],
): Promise<ScimResponse | undefined> {
  if (replay.stopped) return undefined;
  const record: ReplayRecord = { method, path, memberIds };
  replay.records.push(record);
  try {
    const res = await dir.scim(method, path, body);
    record.status = res.status;
    record.body = res.body;
    return res;
  } catch {
    return undefined; // the process died under us
  }
}

export const replayUserName = (i: number) => `entra.user${i}@contoso.example`;
export const REPLAY_GROUP = "Contoso Engineering";

async function ensureUser(dir: LiveDirectory, replay: Replay, i: number): Promise<string | undefined> {
  const userName = replayUserName(i);
  const found = await call(dir, replay, "GET", `/Users?filter=${q(`userName eq "${userName}"`)}`);
  if (found?.status !== 200) return undefined;
  const existing = (found.body.Resources as { id: string }[] | undefined)?.[0]?.id;
  let id = existing;
  if (!id) {
    const created = await call(
      dir,
      replay,
      "POST",
      "/Users",
      newUser(userName, { externalId: `ext-${i}`, displayName: `User ${i}`, emails: [{ type: "work", primary: true, value: userName }] }),
    );
    if (created?.status !== 201) return undefined;
    id = created.body.id as string;
  }
  const updated = await call(dir, replay, "PATCH", `/Users/${id}`, patchBody({ op: "Replace", path: "title", value: `Engineer ${i}` }));
  return updated?.status === 200 ? id : undefined;
}

/** Runs the cycle for users [0, count) with `parallel` provisioning threads; returns the member ids added. */
export async function runEntraReplay(dir: LiveDirectory, replay: Replay, count: number, parallel = 6): Promise<void> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count && !replay.stopped) {
        const id = await ensureUser(dir, replay, next++);
        if (id) ids.push(id);
      }
    }),
  );
  if (replay.stopped) return;
  const found = await call(dir, replay, "GET", `/Groups?filter=${q(`displayName eq "${REPLAY_GROUP}"`)}&excludedAttributes=members`);
  if (found?.status !== 200) return;
  let groupId = (found.body.Resources as { id: string }[] | undefined)?.[0]?.id;
  if (!groupId) {
    const created = await call(dir, replay, "POST", "/Groups", newGroup(REPLAY_GROUP, { externalId: "grp-eng" }));
    if (created?.status !== 201) return;
    groupId = created.body.id as string;
  }
  for (let i = 0; i < ids.length && !replay.stopped; i += 10) {
    const batch = ids.slice(i, i + 10);
    await call(
      dir,
      replay,
      "PATCH",
      `/Groups/${groupId}`,
      patchBody({ op: "Add", path: "members", value: batch.map((value) => ({ value })) }),
      batch,
    );
  }
}
