import { link, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { alive } from "./postgres-cluster.js";

// Who owns the embedded database of a DATA_DIR: DATA_DIR/embedded-postgres.json names the process that
// started it, what kind of process it is, and (once it accepts connections) its port. Exactly one process
// owns it; the others connect to a serving owner's database, wait for a short-lived command, or refuse.

export type OwnerRole = "server" | "command";

export interface OwnerRecord {
  pid: number;
  role: OwnerRole;
  /** Set once PostgreSQL accepts connections. */
  port?: number;
}

const FILE = "embedded-postgres.json";

export function ownerFile(dataDir: string): string {
  return path.join(dataDir, FILE);
}

export async function readOwner(dataDir: string): Promise<OwnerRecord | undefined> {
  const text = await readFile(ownerFile(dataDir), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as OwnerRecord;
  } catch {
    return undefined;
  }
}

async function writeStaged(dataDir: string, record: OwnerRecord): Promise<string> {
  const staged = path.join(dataDir, `.${FILE}.${process.pid}`);
  await writeFile(staged, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  return staged;
}

/** Claims ownership atomically (link fails if the file exists); false when another process holds it. */
export async function claimOwnership(dataDir: string, role: OwnerRole): Promise<boolean> {
  const staged = await writeStaged(dataDir, { pid: process.pid, role });
  try {
    await link(staged, ownerFile(dataDir));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    await rm(staged, { force: true });
  }
}

/** Records the port once the database accepts connections (atomic replace). */
export async function publishPort(dataDir: string, role: OwnerRole, port: number): Promise<void> {
  await rename(await writeStaged(dataDir, { pid: process.pid, role, port }), ownerFile(dataDir));
}

export async function releaseOwnership(dataDir: string): Promise<void> {
  if ((await readOwner(dataDir))?.pid === process.pid) await rm(ownerFile(dataDir), { force: true });
}

/** A record whose process is gone (kill -9, crash, power loss) or that cannot be read. */
export function stale(record: OwnerRecord | undefined): boolean {
  return !record || !Number.isInteger(record.pid) || record.pid === process.pid || !alive(record.pid);
}
