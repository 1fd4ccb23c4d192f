import type { Config } from "../config.js";
import type { Database } from "../db/database.js";
import { createDirectory, getDirectory, listDirectories, PROVIDERS, type Provider } from "../directories/directory-service.js";
import { issueAdditionalToken } from "../directories/directory-tokens.js";
import { DirectoryNotFound } from "../directories/directory-service.js";
import { listUsers } from "../users/user-listing.js";

// The operator CLI's commands: thin wrappers over the same services the admin API uses.

export class UsageError extends Error {}

export interface CommandContext {
  db: Database;
  config: Config;
  out: (line: string) => void;
}

export type Options = Record<string, string | boolean | undefined>;

function required(options: Options, name: string): string {
  const v = options[name];
  if (typeof v !== "string" || v.trim() === "") throw new UsageError(`--${name} is required`);
  return v;
}

function optional(options: Options, name: string): string | undefined {
  const v = options[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

function limitOf(options: Options): number {
  const raw = optional(options, "limit") ?? "50";
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new UsageError("--limit must be an integer from 1 to 500");
  return n;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function directoryIdOf(options: Options): string {
  const id = required(options, "directory");
  if (!UUID.test(id)) throw new UsageError("--directory must be a directory id (uuid)");
  return id;
}

function json(ctx: CommandContext, value: unknown): void {
  ctx.out(JSON.stringify(value, null, 2));
}

export async function directoriesCreate(ctx: CommandContext, options: Options): Promise<void> {
  const provider = optional(options, "provider") ?? "entra";
  if (!(PROVIDERS as readonly string[]).includes(provider)) throw new UsageError(`--provider must be one of ${PROVIDERS.join(", ")}`);
  const created = await createDirectory(ctx.db, ctx.config, {
    name: required(options, "name"),
    tenant: optional(options, "tenant") ?? null,
    product: optional(options, "product") ?? null,
    provider: provider as Provider,
  });
  if (options.json) return json(ctx, created);
  ctx.out(`Created directory "${created.name}" (${created.id})`);
  ctx.out("");
  ctx.out("Give these two values to the customer's IT admin (Entra: Enterprise app > Provisioning > Admin Credentials):");
  ctx.out(`  Tenant URL:    ${created.scim.tenantUrl}`);
  ctx.out(`  Secret Token:  ${created.scim.secretToken}`);
  ctx.out("");
  ctx.out("The secret token is shown only now. Issue another with: scimbridge tokens rotate --directory " + created.id);
}

export async function directoriesList(ctx: CommandContext, options: Options): Promise<void> {
  const page = await listDirectories(ctx.db, ctx.config, {
    tenant: optional(options, "tenant"),
    product: optional(options, "product"),
    limit: limitOf(options),
    cursor: optional(options, "cursor"),
  });
  if (options.json) return json(ctx, page);
  if (page.data.length === 0) ctx.out("No directories.");
  for (const d of page.data) {
    ctx.out([d.id, d.name, d.tenant ?? "-", d.product ?? "-", d.provider, d.disabled ? "disabled" : "enabled", d.scim.tenantUrl].join("\t"));
  }
  if (page.nextCursor) ctx.out(`More: --cursor ${page.nextCursor}`);
}

export async function tokensRotate(ctx: CommandContext, options: Options): Promise<void> {
  const directoryId = directoryIdOf(options);
  const issued = await issueAdditionalToken(ctx.db, ctx.config, directoryId);
  if (!issued) throw new DirectoryNotFound(directoryId);
  if (options.json) return json(ctx, issued);
  const directory = await getDirectory(ctx.db, ctx.config, directoryId);
  ctx.out(`Issued a new token (${issued.id}) for "${directory.name}".`);
  ctx.out(`  Tenant URL:    ${directory.scim.tenantUrl}`);
  ctx.out(`  Secret Token:  ${issued.secretToken}`);
  ctx.out("");
  ctx.out("The old token keeps working until revoked (DELETE /api/v1/directories/{id}/tokens/{tokenId}).");
}

export async function usersList(ctx: CommandContext, options: Options): Promise<void> {
  const directoryId = directoryIdOf(options);
  await getDirectory(ctx.db, ctx.config, directoryId);
  const page = await listUsers(ctx.db, directoryId, {
    filter: optional(options, "filter"),
    limit: limitOf(options),
    cursor: optional(options, "cursor"),
  });
  if (options.json) return json(ctx, page);
  if (page.data.length === 0) ctx.out("No users.");
  for (const u of page.data) ctx.out([u.id, u.userName, u.email ?? "-", u.displayName ?? "-", u.active ? "active" : "inactive"].join("\t"));
  if (page.nextCursor) ctx.out(`More: --cursor ${page.nextCursor}`);
}

export const COMMANDS: Record<string, (ctx: CommandContext, options: Options) => Promise<void>> = {
  "directories create": directoriesCreate,
  "directories list": directoriesList,
  "tokens rotate": tokensRotate,
  "users list": usersList,
};

export const USAGE = `Usage: scimbridge <command> [options]

Commands:
  directories create --name <name> [--tenant <t>] [--product <p>] [--provider entra|okta|onelogin|jumpcloud|generic]
                                   Create a directory; prints its Tenant URL and Secret Token (shown once)
  directories list [--tenant <t>] [--product <p>] [--limit <n>] [--cursor <c>]
  tokens rotate --directory <id>   Issue an additional Secret Token (the old one keeps working until revoked)
  users list --directory <id> [--filter <scim filter>] [--limit <n>] [--cursor <c>]

Options:
  --json                           Print JSON instead of text

Uses DATABASE_URL, or the embedded database in DATA_DIR (stop the server first: one process per data dir).
`;
