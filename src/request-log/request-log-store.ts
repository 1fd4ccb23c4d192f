import type { Database } from "../db/database.js";

// Reads of the per-directory SCIM request log (scim_requests). Writes are batched by the request-log writer.

export interface LatestScimRequest {
  at: Date;
  method: string;
  path: string;
  status: number;
  scimType: string | null;
  detail: string | null;
}

export async function latestScimRequest(prisma: Database["prisma"], directoryId: string): Promise<LatestScimRequest | null> {
  return prisma.scimRequest.findFirst({
    where: { directoryId },
    orderBy: { id: "desc" },
    select: { at: true, method: true, path: true, status: true, scimType: true, detail: true },
  });
}
