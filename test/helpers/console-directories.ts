import type { LightMyRequestResponse } from "fastify";
import type { ConsoleClient } from "./console-session.js";
import type { ScimDirectory } from "./scim-fixtures.js";

// Creates a directory through the console's form, as an operator would, and reads back what the answer
// page shows once: the directory's id (from its link), the Secret Token and the webhook secret.

export interface ConsoleDirectory {
  id: string;
  token: string;
  webhookSecret: string | undefined;
  page: LightMyRequestResponse;
}

/** The value of the read-only copy field with this id on a page. */
export function copyFieldValue(body: string, id: string): string | undefined {
  return new RegExp(`<input id="${id}" type="text" readonly value="([^"]*)"`).exec(body)?.[1];
}

export async function createDirectoryInConsole(
  c: ConsoleClient,
  fields: { name: string; tenant?: string; provider?: string; webhookUrl?: string },
): Promise<ConsoleDirectory> {
  const page = await c.post("/console/directories", { provider: "entra", ...fields });
  if (page.statusCode !== 201) throw new Error(`create answered ${page.statusCode}: ${page.body}`);
  const id = /href="\/console\/directories\/([0-9a-f-]{36})" id="open-directory"/.exec(page.body)?.[1];
  const token = copyFieldValue(page.body, "secret-token");
  if (!id || !token) throw new Error("no directory link or token on the created page");
  return { id, token, webhookSecret: copyFieldValue(page.body, "webhook-secret"), page };
}

/** The directory as its IdP holds it (for scimClient): the Tenant URL path and the token shown at creation. */
export function asIdp(d: Pick<ConsoleDirectory, "id" | "token">): ScimDirectory {
  return {
    directoryId: d.id,
    token: d.token,
    base: `/scim/v2/${d.id}`,
    headers: { authorization: `Bearer ${d.token}`, "content-type": "application/scim+json" },
  };
}
