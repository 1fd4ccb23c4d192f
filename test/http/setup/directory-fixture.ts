import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { adminAuth } from "../../helpers/test-app.js";

// A directory row and a setup link for it, the way the admin would create them.

export async function createDirectory(app: FastifyInstance, name = "Contoso", provider = "entra"): Promise<string> {
  const id = randomUUID();
  await app.db.prisma.directory.create({ data: { id, name, provider } });
  return id;
}

export async function createSetupLinkUrl(
  app: FastifyInstance,
  directoryId: string,
  body: Record<string, unknown> = {},
): Promise<{ id: string; url: string; path: string; token: string; expiresAt: string }> {
  const res = await app.inject({
    method: "POST",
    url: `/api/v1/directories/${directoryId}/setup-links`,
    headers: adminAuth,
    payload: body,
  });
  if (res.statusCode !== 201) throw new Error(`setup link not created: ${res.statusCode} ${res.body}`);
  const created = res.json() as { id: string; url: string; expiresAt: string };
  const path = new URL(created.url).pathname;
  return { ...created, path, token: path.split("/").pop()! };
}
