import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../../src/db/database.js";
import { SecretTokenVerifier } from "../../src/directories/directory-tokens.js";
import { createUser } from "../../src/users/user-service.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";

// Runs the real bin/scimbridge.js as a child process against a throwaway database.

const BIN = fileURLToPath(new URL("../../bin/scimbridge.js", import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(database: TestDatabase, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, DATABASE_URL: database.url, PUBLIC_URL: "https://sync.example.com", LOG_LEVEL: "silent" }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("scimbridge CLI", () => {
  let database: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDatabase({ url: database.url, poolSize: 2, statementTimeoutMs: 0 });
  });
  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  // each run starts a Node process with tsx: seconds apiece on a busy CI box
  it("directories create → list → tokens rotate → users list", { timeout: 180_000 }, async () => {
    const created = await cli(database, "directories", "create", "--name", "Acme Corp", "--tenant", "acme", "--product", "crm");
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    const tenantUrl = /Tenant URL:\s+(\S+)/.exec(created.stdout)?.[1];
    const token = /Secret Token:\s+(\S+)/.exec(created.stdout)?.[1];
    expect(tenantUrl).toMatch(/^https:\/\/sync\.example\.com\/scim\/v2\/[0-9a-f-]{36}$/);
    expect(token).toMatch(/^scim_[A-Za-z0-9_-]{43}$/);
    const id = tenantUrl!.split("/").pop()!;

    // the printed token is a working SCIM token for that directory
    const verifier = new SecretTokenVerifier(db);
    expect(await verifier.verify(id, token!)).toMatchObject({ directoryId: id });

    const listed = await cli(database, "directories", "list", "--tenant", "acme");
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain("Acme Corp");
    expect(listed.stdout).not.toContain(token!);

    const rotated = await cli(database, "tokens", "rotate", "--directory", id);
    expect(rotated.code).toBe(0);
    const token2 = /Secret Token:\s+(\S+)/.exec(rotated.stdout)?.[1];
    expect(token2).toMatch(/^scim_/);
    expect(token2).not.toBe(token);
    expect(await verifier.verify(id, token2!)).toMatchObject({ directoryId: id });
    expect(await verifier.verify(id, token!)).toMatchObject({ directoryId: id });

    await createUser(db, id, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ada@acme.example", displayName: "Ada" });
    const users = await cli(database, "users", "list", "--directory", id, "--json");
    expect(users.code).toBe(0);
    const page = JSON.parse(users.stdout);
    expect(page.data).toHaveLength(1);
    expect(page.data[0]).toMatchObject({ userName: "ada@acme.example", directoryId: id });
  });

  it("fails clearly on usage errors and unknown directories", { timeout: 180_000 }, async () => {
    const [noName, unknown, missing, badId] = await Promise.all([
      cli(database, "directories", "create"),
      cli(database, "frobnicate"),
      cli(database, "tokens", "rotate", "--directory", "00000000-0000-4000-8000-000000000000"),
      cli(database, "users", "list", "--directory", "nope"),
    ]);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain("--name is required");
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toContain("Usage: scimbridge");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("directory not found");
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain("--directory must be a directory id");
  });
});
