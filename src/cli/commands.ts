import { createDirectory, getDirectory, listDirectories, PROVIDERS, type Provider } from "../directories/directory-service.js";
import { issueAdditionalToken, listTokens, revokeToken } from "../directories/directory-tokens.js";
import { DirectoryNotFound } from "../directories/directory-service.js";
import { listGroups } from "../groups/group-listing.js";
import { listUsers } from "../users/user-listing.js";
import { type CommandContext, directoryIdOf, idOf, limitOf, type Options, optional, required, UsageError } from "./command-context.js";
import { eventsTail } from "./events-tail.js";

// The operator CLI's commands: thin wrappers over the same services the admin API uses.

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
    ctx.out(
      [d.id, d.name, d.tenant ?? "-", d.product ?? "-", d.provider, d.disabled ? "disabled" : "enabled", d.scim.tenantUrl].join("\t"),
    );
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
  ctx.out(`The old token keeps working until revoked: scimbridge tokens revoke --directory ${directoryId} --token <token id>`);
}

const day = (d: Date | null) => (d ? d.toISOString() : "-");

export async function tokensList(ctx: CommandContext, options: Options): Promise<void> {
  const directoryId = directoryIdOf(options);
  await getDirectory(ctx.db, ctx.config, directoryId);
  const tokens = await listTokens(ctx.db, directoryId);
  if (options.json) return json(ctx, { data: tokens });
  ctx.out(["id", "prefix", "created", "last used", "expires", "status"].join("\t"));
  for (const t of tokens) {
    const status = t.revokedAt ? "revoked" : t.expiresAt && t.expiresAt.getTime() <= Date.now() ? "expired" : "live";
    ctx.out([t.id, t.prefix, day(t.createdAt), day(t.lastUsedAt), day(t.expiresAt), status].join("\t"));
  }
}

export async function tokensRevoke(ctx: CommandContext, options: Options): Promise<void> {
  const directoryId = directoryIdOf(options);
  const tokenId = idOf(options, "token", "token");
  await getDirectory(ctx.db, ctx.config, directoryId);
  await revokeToken(ctx.db, directoryId, tokenId);
  if (options.json) return json(ctx, { id: tokenId, revoked: true });
  ctx.out(`Revoked token ${tokenId}: requests with it now get 401.`);
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

export async function groupsList(ctx: CommandContext, options: Options): Promise<void> {
  const directoryId = directoryIdOf(options);
  await getDirectory(ctx.db, ctx.config, directoryId);
  const page = await listGroups(ctx.db, directoryId, {
    filter: optional(options, "filter"),
    limit: limitOf(options),
    cursor: optional(options, "cursor"),
  });
  if (options.json) return json(ctx, page);
  if (page.data.length === 0) ctx.out("No groups.");
  for (const g of page.data) ctx.out([g.id, g.displayName, g.externalId ?? "-", `${g.memberCount} members`].join("\t"));
  if (page.nextCursor) ctx.out(`More: --cursor ${page.nextCursor}`);
}

export interface Command {
  run: (ctx: CommandContext, options: Options) => Promise<void>;
  /** The options it accepts besides --json and --help; any other is a usage error. */
  options: readonly string[];
}

const PAGE = ["limit", "cursor"] as const;

export const COMMANDS: Record<string, Command> = {
  "directories create": { run: directoriesCreate, options: ["name", "tenant", "product", "provider"] },
  "directories list": { run: directoriesList, options: ["tenant", "product", ...PAGE] },
  "tokens list": { run: tokensList, options: ["directory"] },
  "tokens rotate": { run: tokensRotate, options: ["directory"] },
  "tokens revoke": { run: tokensRevoke, options: ["directory", "token"] },
  "users list": { run: usersList, options: ["directory", "filter", ...PAGE] },
  "groups list": { run: groupsList, options: ["directory", "filter", ...PAGE] },
  "events tail": { run: eventsTail, options: ["directory", "after"] },
};

export const USAGE = `Usage: scimbridge <command> [options]

Commands:
  directories create --name <name> [--tenant <t>] [--product <p>] [--provider entra|okta|onelogin|jumpcloud|generic]
                                   Create a directory; prints its Tenant URL and Secret Token (shown once)
  directories list [--tenant <t>] [--product <p>] [--limit <n>] [--cursor <c>]
  tokens list --directory <id>     The directory's Secret Tokens (metadata only: the secrets are never shown again)
  tokens rotate --directory <id>   Issue an additional Secret Token (the old one keeps working until revoked)
  tokens revoke --directory <id> --token <token id>
                                   Revoke a Secret Token
  users list --directory <id> [--filter <scim filter>] [--limit <n>] [--cursor <c>]
  groups list --directory <id> [--filter <scim filter>] [--limit <n>] [--cursor <c>]
  events tail [--directory <id>] [--after <cursor>]
                                   Print events as they happen (from the oldest kept, or after a cursor) until Ctrl-C

Options:
  --json                           Print JSON instead of text (events tail: one event per line)
  -h, --help                       Show this help

Uses DATABASE_URL, or the embedded database in DATA_DIR: while \`npm start\` serves, the CLI uses the
server's database; otherwise it starts the embedded database for the duration of the command.
`;
