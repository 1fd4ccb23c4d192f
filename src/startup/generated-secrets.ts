import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Config } from "../config.js";

// When ADMIN_API_KEY / SECRETS_KEY are unset, the service makes them on first start and keeps them in
// DATA_DIR (mode 0600), so a single-box install needs no configuration. The admin key is printed once.

export interface ResolvedSecrets {
  adminApiKeys: string[];
  secretsKey: string;
  /** The admin key made on this start, to print once; undefined if it already existed or was configured. */
  newAdminApiKey?: string;
}

async function readOrMake(file: string, make: () => string): Promise<{ value: string; made: boolean }> {
  if (existsSync(file)) return { value: (await readFile(file, "utf8")).trim(), made: false };
  const value = make();
  await writeFile(file, `${value}\n`, { mode: 0o600, flag: "wx" }).catch(async (err) => {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  });
  return { value: (await readFile(file, "utf8")).trim(), made: true };
}

export async function resolveSecrets(config: Config): Promise<ResolvedSecrets> {
  const needsFiles = config.adminApiKeys.length === 0 || !config.secretsKey;
  if (needsFiles) await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  let adminApiKeys = config.adminApiKeys;
  let newAdminApiKey: string | undefined;
  if (adminApiKeys.length === 0) {
    const { value, made } = await readOrMake(
      path.join(config.dataDir, "admin-api-key"),
      () => `sbk_${randomBytes(32).toString("base64url")}`,
    );
    adminApiKeys = [value];
    if (made) newAdminApiKey = value;
  }
  const secretsKey =
    config.secretsKey ?? (await readOrMake(path.join(config.dataDir, "secrets-key"), () => randomBytes(32).toString("base64"))).value;
  return { adminApiKeys, secretsKey, newAdminApiKey };
}
