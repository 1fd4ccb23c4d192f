import type { Prisma } from "../generated/prisma/client.js";

// Asks the remap job (attribute-remap-job.ts) to recompute a directory's users, in the transaction of the
// mapping change itself: the request commits with the change or not at all. A new generation restarts a
// job that was running: its next batch sees the generation moved and starts over from the first user.

type Tx = Pick<Prisma.TransactionClient, "attributeRemapJob" | "directory">;

const RESTART = {
  state: "pending",
  total: 0,
  processed: 0,
  changed: 0,
  afterCreatedAt: null,
  afterId: null,
  leaseUntil: null,
  startedAt: null,
  finishedAt: null,
  error: null,
} as const;

export async function requestRemap(tx: Tx, directoryId: string): Promise<void> {
  const requestedAt = new Date();
  await tx.attributeRemapJob.upsert({
    where: { directoryId },
    create: { directoryId, requestedAt },
    update: { ...RESTART, generation: { increment: 1 }, requestedAt },
  });
}

/** Every directory (a declaration changed). */
export async function requestRemapOfAll(tx: Tx): Promise<void> {
  const requestedAt = new Date();
  const directories = await tx.directory.findMany({ select: { id: true } });
  await tx.attributeRemapJob.updateMany({ data: { ...RESTART, generation: { increment: 1 }, requestedAt } });
  await tx.attributeRemapJob.createMany({ data: directories.map((d) => ({ directoryId: d.id, requestedAt })), skipDuplicates: true });
}
