import type { Database } from "../db/database.js";
import { assertDirectoryExists } from "../directories/directory-service.js";
import { scimPathsOf } from "../scim/mapping/seen-paths.js";
import { sampleUserResources } from "../users/user-store.js";

// The SCIM paths a directory's users actually carry, so the operator maps from real data. Bounded: the
// SEEN_PATHS_SAMPLE newest users are read (one index-ordered scan), whatever the directory's size; counts
// and shares are over that sample, and the response says how large it was.

export const SEEN_PATHS_SAMPLE = 1000;
const MAX_EXAMPLES = 3;
const MAX_EXAMPLE_CHARS = 100;

export interface SeenScimPath {
  path: string;
  /** Sampled users that have a value at this path. */
  users: number;
  /** users / sampledUsers, 0..1. */
  share: number;
  /** Up to 3 distinct values, truncated to 100 characters. */
  examples: string[];
}

export interface SeenScimPaths {
  sampledUsers: number;
  totalUsers: number;
  data: SeenScimPath[];
}

function exampleText(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > MAX_EXAMPLE_CHARS ? `${text.slice(0, MAX_EXAMPLE_CHARS)}…` : text;
}

export async function seenScimPaths(db: Database, directoryId: string, sample = SEEN_PATHS_SAMPLE): Promise<SeenScimPaths> {
  await assertDirectoryExists(db, directoryId);
  const { resources, total } = await sampleUserResources(db, directoryId, sample);
  const paths = new Map<string, { users: number; examples: Set<string> }>();
  for (const resource of resources) {
    for (const [path, values] of scimPathsOf(resource)) {
      let seen = paths.get(path);
      if (!seen) {
        seen = { users: 0, examples: new Set() };
        paths.set(path, seen);
      }
      seen.users += 1;
      for (const v of values) if (seen.examples.size < MAX_EXAMPLES) seen.examples.add(exampleText(v));
    }
  }
  const sampledUsers = resources.length;
  return {
    sampledUsers,
    totalUsers: total,
    data: [...paths.entries()]
      .map(([path, s]) => ({
        path,
        users: s.users,
        share: sampledUsers === 0 ? 0 : Math.round((s.users / sampledUsers) * 1000) / 1000,
        examples: [...s.examples],
      }))
      .sort((a, b) => b.users - a.users || a.path.localeCompare(b.path)),
  };
}
