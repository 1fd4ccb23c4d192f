import { type ChildProcess, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../../src/db/database.js";
import { SecretTokenVerifier } from "../../src/directories/directory-tokens.js";
import { createGroup } from "../../src/groups/group-service.js";
import { putRole, putRoleMapping } from "../../src/roles/role-service.js";
import { createUser } from "../../src/users/user-service.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";

// Runs the real bin/scimbridge.js as a child process against a throwaway database.

const BIN = fileURLToPath(new URL("../../bin/scimbridge.js", import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const cliEnv = (database: TestDatabase) => ({
  ...process.env,
  DATABASE_URL: database.url,
  PUBLIC_URL: "https://sync.example.com",
  LOG_LEVEL: "silent",
});

function cli(database: TestDatabase, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: cliEnv(database), timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A long-running CLI command (events tail): its output so far, and Ctrl-C. */
function follow(database: TestDatabase, ...args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], { env: cliEnv(database), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => (stdout += d));
  child.stderr?.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    async until(text: string, timeoutMs = 60_000) {
      const start = Date.now();
      while (!stdout.includes(text)) {
        if (Date.now() - start > timeoutMs) throw new Error(`"${text}" not printed within ${timeoutMs} ms:\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async interrupt() {
      child.kill("SIGINT");
      return exited;
    },
  };
}

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

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
    expect(unknown.stderr).toContain('scimbridge: unknown command "frobnicate"');
    expect(unknown.stderr).toContain("Usage: scimbridge");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("directory not found");
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain("--directory must be a directory id");
  });

  it("rejects unknown commands and options with exit 2 and the usage", { timeout: 180_000 }, async () => {
    const [verb, flag, misplaced, none] = await Promise.all([
      cli(database, "users", "delete"),
      cli(database, "users", "list", "--bogus"),
      cli(database, "directories", "list", "--token", "x"),
      cli(database),
    ]);
    expect(verb.code).toBe(2);
    expect(verb.stderr).toContain('scimbridge: unknown command "users delete"');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--bogus'");
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain('--token is not an option of "directories list"');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("missing command");
    for (const run of [verb, flag, misplaced, none]) {
      expect(run.stderr).toContain("Usage: scimbridge <command> [options]");
      expect(run.stdout).toBe("");
    }
  });

  it("tokens list shows metadata only; tokens revoke stops a token", { timeout: 180_000 }, async () => {
    const created = await cli(database, "directories", "create", "--name", "Token Corp");
    const id = /scim\/v2\/([0-9a-f-]{36})/.exec(created.stdout)![1];
    const first = /Secret Token:\s+(\S+)/.exec(created.stdout)![1];
    const rotated = await cli(database, "tokens", "rotate", "--directory", id);
    const second = /Secret Token:\s+(\S+)/.exec(rotated.stdout)![1];

    const listed = await cli(database, "tokens", "list", "--directory", id, "--json");
    expect(listed.code, listed.stderr).toBe(0);
    const tokens = JSON.parse(listed.stdout).data as { id: string; prefix: string; revokedAt: string | null }[];
    expect(tokens).toHaveLength(2);
    expect(listed.stdout).not.toContain(first);
    expect(listed.stdout).not.toContain(second);
    expect(tokens.every((t) => t.revokedAt === null)).toBe(true);

    const revoked = await cli(database, "tokens", "revoke", "--directory", id, "--token", tokens[0].id);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`Revoked token ${tokens[0].id}`);
    const verifier = new SecretTokenVerifier(db);
    expect(await verifier.verify(id, first)).toBeNull();
    expect(await verifier.verify(id, second)).toMatchObject({ directoryId: id });

    const text = await cli(database, "tokens", "list", "--directory", id);
    expect(text.stdout.split("\n").find((l) => l.startsWith(tokens[0].id))).toMatch(/\trevoked$/);
    expect(text.stdout.split("\n").find((l) => l.startsWith(tokens[1].id))).toMatch(/\tlive$/);

    const unknownToken = await cli(database, "tokens", "revoke", "--directory", id, "--token", "00000000-0000-4000-8000-000000000000");
    expect(unknownToken.code).toBe(1);
    expect(unknownToken.stderr).toContain("token not found");
  });

  it("groups list pages the directory's groups", { timeout: 180_000 }, async () => {
    const created = await cli(database, "directories", "create", "--name", "Group Corp");
    const id = /scim\/v2\/([0-9a-f-]{36})/.exec(created.stdout)![1];
    const ada = await createUser(db, id, { schemas: [USER], userName: "ada@group.example" });
    await createGroup(
      db,
      id,
      { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Engineering", members: [{ value: ada.id }] },
      1000,
    );
    await createGroup(db, id, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Sales" }, 1000);

    const page1 = await cli(database, "groups", "list", "--directory", id, "--limit", "1", "--json");
    expect(page1.code, page1.stderr).toBe(0);
    const first = JSON.parse(page1.stdout);
    expect(first.data).toHaveLength(1);
    expect(first.data[0]).toMatchObject({ displayName: "Engineering", memberCount: 1 });
    const page2 = await cli(database, "groups", "list", "--directory", id, "--limit", "1", "--cursor", first.nextCursor);
    expect(page2.stdout).toContain("Sales\t-\t0 members");
    const filtered = await cli(database, "groups", "list", "--directory", id, "--filter", 'displayName eq "Sales"');
    expect(filtered.stdout).toContain("Sales");
    expect(filtered.stdout).not.toContain("Engineering");
  });

  it("events tail prints events as they happen until Ctrl-C, and resumes after a cursor", { timeout: 180_000 }, async () => {
    const created = await cli(database, "directories", "create", "--name", "Tail Corp");
    const id = /scim\/v2\/([0-9a-f-]{36})/.exec(created.stdout)![1];
    await createUser(db, id, { schemas: [USER], userName: "before@tail.example" });

    const tail = follow(database, "events", "tail", "--directory", id, "--json");
    await tail.until("before@tail.example");
    // a change made while tailing appears without restarting
    await createUser(db, id, { schemas: [USER], userName: "during@tail.example" });
    await tail.until("during@tail.example");
    expect(await tail.interrupt()).toBe(0);
    const events = tail
      .stdout()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(events.map((e) => [e.type, e.data.userName])).toEqual([
      ["user.created", "before@tail.example"],
      ["user.created", "during@tail.example"],
    ]);
    const cursor = /Resume with: scimbridge events tail --after (\S+)/.exec(tail.stderr())?.[1];
    expect(cursor).toBeDefined();

    // roles from groups: a default role for everyone, "editor" for Engineering's members
    for (const role of ["viewer", "editor"]) await putRole(db, role, {});
    await putRoleMapping(db, id, {
      defaultRole: "viewer",
      rules: [{ match: { displayName: "Engineering" }, role: "editor", priority: 10 }],
    });
    const after = await createUser(db, id, { schemas: [USER], userName: "after@tail.example" });
    await createGroup(db, id, { schemas: [GROUP], displayName: "Engineering", members: [{ value: after.id }] }, 1000);
    const resumed = follow(database, "events", "tail", "--directory", id, "--after", cursor!);
    await resumed.until("after@tail.example: viewer → editor");
    expect(await resumed.interrupt()).toBe(0);
    const lines = resumed
      .stdout()
      .trim()
      .split("\n")
      .map((l) => l.split("\t"));
    for (const line of lines) expect(line.slice(2, 4)).toEqual([id, expect.stringMatching(/^\d+$/)]);
    // each line: time, type, directory, event id, what it is about
    const printed = lines.map(([, type, , , about]) => `${type} ${about}`);
    // the new mapping gives both earlier users the default role (in no particular order)
    expect(printed.slice(0, 2).sort()).toEqual([
      "user.roles_changed before@tail.example: (none) → viewer",
      "user.roles_changed during@tail.example: (none) → viewer",
    ]);
    expect(printed.slice(2)).toEqual([
      "user.created after@tail.example",
      "group.created Engineering",
      "group.user_added after@tail.example added to Engineering",
      "user.roles_changed after@tail.example: viewer → editor",
    ]);

    const bad = await cli(database, "events", "tail", "--after", "nope");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--after is not a cursor");
  });
});
