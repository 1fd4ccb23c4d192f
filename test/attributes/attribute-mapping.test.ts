import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RemapJobRunner, startAttributeRemapJob } from "../../src/attributes/attribute-remap-job.js";
import { createLogger } from "../../src/logger.js";
import { eventsOf, type ScimDirectory, scimClient } from "../helpers/scim-fixtures.js";
import { adminAuth, buildTestApp, type TestApp } from "../helpers/test-app.js";

// Attribute mapping end to end: declared attributes, per-directory SCIM paths and provider defaults, the
// attributes of the app-facing user (admin API and event data) driven by real Entra and Okta bodies,
// mapping warnings, seen SCIM paths and the remap job.

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
// the custom-extension form Entra documents for directory extension attributes (no shared body carries one)
const CUSTOM = "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User";

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/idp-requests/${name}`, import.meta.url), "utf8"));
const azure = fixture("polis-e2e-azure.json");
const polisUsers = fixture("polis-user-requests.json");
const entraDocs = fixture("entra-documented-examples.json") as {
  compat: { examples: { name: string; without?: unknown; with?: unknown }[] };
};
/** ory/polis fixtures omit the PatchOp schema RFC 7644 requires (as test/scim/patch/idp-requests.ts notes): added here. */
const patchOp = (body: object) => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], ...body });
const replaceMultiple = entraDocs.compat.examples.find((e) => e.name === "Replace multiple attributes")!;

let t: TestApp;
let remaps: RemapJobRunner;
/** A second runner on the same database: two replicas competing for the same jobs. */
let otherRemaps: RemapJobRunner;

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies read by tests
type Json = any;

async function admin(
  method: "GET" | "PUT" | "POST" | "DELETE",
  url: string,
  payload?: unknown,
): Promise<{ status: number; headers: Record<string, unknown>; body: Json }> {
  const res = await t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: adminAuth,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
  return { status: res.statusCode, headers: res.headers, body: res.body ? res.json() : undefined };
}

async function createDirectory(provider: "entra" | "okta"): Promise<ScimDirectory> {
  const res = await admin("POST", "/directories", { name: `${provider} tenant`, provider });
  expect(res.status).toBe(201);
  const token = res.body.scim.secretToken as string;
  return {
    directoryId: res.body.id,
    token,
    base: `/scim/v2/${res.body.id}`,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
  };
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function remapDone(directoryId: string) {
  return until(
    "the remap to finish",
    async () => (await admin("GET", `/directories/${directoryId}/attribute-remap`)).body,
    (job) => job?.state === "done",
  );
}

beforeAll(async () => {
  t = await buildTestApp();
  remaps = startAttributeRemapJob({ db: t.app.db, logger: createLogger("silent"), pollMs: 50, batchSize: 7 });
  otherRemaps = startAttributeRemapJob({ db: t.app.db, logger: createLogger("silent"), pollMs: 50, batchSize: 7 });
  for (const [name, type, required] of [
    ["employeeNumber", "number", true],
    ["department", "string", false],
    ["costCenter", "string", false],
    ["phone", "string", false],
    ["jobTitle", "string", false],
    ["workEmail", "string", false],
  ] as const) {
    expect((await admin("PUT", `/attributes/${name}`, { type, required })).status).toBe(201);
  }
});

afterAll(async () => {
  await remaps?.stop();
  await otherRemaps?.stop();
  await t?.close();
});

describe("declared attributes", () => {
  it("lists, redeclares and refuses bad names and types with problem+json", async () => {
    const list = await admin("GET", "/attributes");
    expect(list.status).toBe(200);
    expect(list.body.data.map((a: { name: string }) => a.name)).toEqual([
      "costCenter",
      "department",
      "employeeNumber",
      "jobTitle",
      "phone",
      "workEmail",
    ]);
    expect(list.body.data[2]).toMatchObject({ name: "employeeNumber", type: "number", required: true });

    const same = await admin("PUT", "/attributes/department", { type: "string" });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ name: "department", type: "string", required: false });

    const badName = await admin("PUT", "/attributes/cost-center", { type: "string" });
    expect(badName.status).toBe(400);
    expect(badName.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(badName.body).toMatchObject({
      code: "invalid_attribute",
      detail: 'attribute name "cost-center" must start with a letter and hold only letters, digits and "_" (at most 64 characters)',
    });
    const badType = await admin("PUT", "/attributes/level", { type: "integer" });
    expect(badType.status).toBe(400);
    expect(badType.body).toMatchObject({
      code: "invalid_attribute",
      detail: 'type "integer" is not one of string, number, boolean, date, string[]',
    });
    const extra = await admin("PUT", "/attributes/level", { type: "number", path: "x" });
    expect(extra.status).toBe(400);
    expect(extra.body.code).toBe("validation_failed");

    const missing = await admin("DELETE", "/attributes/nosuch");
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: "attribute_not_found" });
  });
});

describe("mapping from real Entra and Okta bodies", () => {
  let entra: ScimDirectory;

  it("maps provider defaults and a custom-extension path through SCIM POST and PATCH, in the admin API and event data", async () => {
    entra = await createDirectory("entra");
    const mapped = await admin("PUT", `/directories/${entra.directoryId}/attribute-mappings/costCenter`, {
      scimPath: `${CUSTOM}:costCenter`,
    });
    expect(mapped.status).toBe(200);
    expect(mapped.body.data).toEqual([
      { attribute: "costCenter", type: "string", required: false, scimPath: `${CUSTOM}:costCenter`, source: "directory" },
      { attribute: "department", type: "string", required: false, scimPath: `${ENTERPRISE}:department`, source: "provider_default" },
      { attribute: "employeeNumber", type: "number", required: true, scimPath: `${ENTERPRISE}:employeeNumber`, source: "provider_default" },
      { attribute: "jobTitle", type: "string", required: false, scimPath: "title", source: "provider_default" },
      { attribute: "phone", type: "string", required: false, scimPath: 'phoneNumbers[type eq "work"].value', source: "provider_default" },
      { attribute: "workEmail", type: "string", required: false, scimPath: 'emails[type eq "work"].value', source: "provider_default" },
    ]);

    // the mapping change's remap (of no users yet) ends before the users arrive, so the warning counts below are the writes'
    await remapDone(entra.directoryId);
    const scim = scimClient(t, entra);
    const created = await scim("POST", "/Users", azure.azureUser_1);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    for (const body of [polisUsers.entraSetExtensionAttribute.body, polisUsers.entraPhoneAndAddress.body]) {
      expect((await scim("PATCH", `/Users/${id}`, patchOp(body))).status).toBe(200);
    }
    const custom = await scim("PATCH", `/Users/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "add", path: `${CUSTOM}:costCenter`, value: "4200" }],
    });
    expect(custom.status).toBe(200);

    const expected = {
      costCenter: "4200",
      department: "Engineering",
      employeeNumber: null,
      jobTitle: "Manager",
      phone: "555-0100",
      workEmail: "jackson-1@example.com",
    };
    const user = await admin("GET", `/directories/${entra.directoryId}/users/${id}`);
    expect(user.status).toBe(200);
    expect(user.body.attributes).toEqual(expected);
    const events = await eventsOf(t, entra.directoryId);
    expect(events.map((e) => e.type)).toEqual(["user.created", "user.updated", "user.updated", "user.updated"]);
    expect(events[0]!.data.attributes).toMatchObject({ jobTitle: "Manager", workEmail: "jackson-1@example.com", department: null });
    expect(events[3]!.data.attributes).toEqual(expected);
    const api = await admin("GET", `/events?directoryId=${entra.directoryId}`);
    expect(api.body.data.at(-1).data.attributes).toEqual(expected);
  });

  it("gives null and a mapping warning for a string where a number is declared, and the user still syncs", async () => {
    const scim = scimClient(t, entra);
    const [user] = (await scim("GET", "/Users")).body.Resources;
    const patched = await scim("PATCH", `/Users/${user.id}`, replaceMultiple.without);
    expect(patched.status).toBe(200);
    expect(patched.body[ENTERPRISE].employeeNumber).toBe("Eqpj");
    expect((await admin("GET", `/directories/${entra.directoryId}/users/${user.id}`)).body.attributes.employeeNumber).toBeNull();
    expect((await scim("PATCH", `/Users/${user.id}`, replaceMultiple.with)).status).toBe(200);

    const view = await admin("GET", `/directories/${entra.directoryId}/attribute-mappings`);
    expect(view.status).toBe(200);
    const mismatch = view.body.warnings.find((w: { kind: string }) => w.kind === "type_mismatch");
    expect(mismatch).toMatchObject({
      attribute: "employeeNumber",
      scimPath: `${ENTERPRISE}:employeeNumber`,
      expectedType: "number",
      example: "Aklq",
      count: 2,
    });
    expect(Date.parse(mismatch.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(mismatch.firstSeenAt));
    // the required employeeNumber was missing at the POST and the first PATCHes
    expect(view.body.warnings.find((w: { kind: string }) => w.kind === "required_missing")).toMatchObject({
      attribute: "employeeNumber",
      example: null,
      count: 4,
    });
  });

  it("maps an Okta user by Okta's defaults", async () => {
    const okta = await createDirectory("okta");
    const scim = scimClient(t, okta);
    const created = await scim("POST", "/Users", polisUsers.create.body);
    expect(created.status).toBe(201);
    expect((await scim("PATCH", `/Users/${created.body.id}`, patchOp(polisUsers.entraSetExtensionViaPath.body))).status).toBe(200);
    const user = await admin("GET", `/directories/${okta.directoryId}/users/${created.body.id}`);
    expect(user.body.attributes).toEqual({
      costCenter: null,
      department: "Engineering",
      employeeNumber: null,
      jobTitle: "Manager",
      phone: null,
      workEmail: "jackson@boxyhq.com",
    });
  });

  it("lists the SCIM paths seen in the directory with examples and counts", async () => {
    const seen = await admin("GET", `/directories/${entra.directoryId}/scim-paths`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ sampledUsers: 1, totalUsers: 1 });
    const byPath = Object.fromEntries(seen.body.data.map((p: { path: string }) => [p.path, p]));
    expect(byPath[`${ENTERPRISE}:department`]).toEqual({ path: `${ENTERPRISE}:department`, users: 1, share: 1, examples: ["Engineering"] });
    expect(byPath[`${ENTERPRISE}:employeeNumber`]).toMatchObject({ users: 1, examples: ["Aklq"] });
    expect(byPath[`${CUSTOM}:costCenter`]).toMatchObject({ users: 1, examples: ["4200"] });
    expect(byPath['phoneNumbers[type eq "mobile"].value']).toMatchObject({ examples: ["555-0101"] });
    expect(byPath['addresses[type eq "work"].locality']).toMatchObject({ examples: ["San Francisco"] });
    expect(byPath.schemas).toBeUndefined();
  });
});

describe("mapping errors", () => {
  it("refuses invalid paths, unknown attributes and directories with problem+json", async () => {
    const d = await createDirectory("entra");
    const put = (name: string, scimPath: unknown) => admin("PUT", `/directories/${d.directoryId}/attribute-mappings/${name}`, { scimPath });

    const invalid = await put("phone", 'phoneNumbers[type eq "work".value');
    expect(invalid.status).toBe(400);
    expect(invalid.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(invalid.body).toMatchObject({
      code: "invalid_scim_path",
      detail: 'scimPath "phoneNumbers[type eq \\"work\\".value": value filter is missing its closing "]"',
    });
    expect((await put("phone", "phoneNumber.value")).body.detail).toBe(
      'scimPath "phoneNumber.value": "phoneNumber.value" is not an attribute of User',
    );
    expect((await put("phone", "name")).body.detail).toBe(
      'scimPath "name": "name": name is complex; name one of its sub-attributes, e.g. name.formatted',
    );
    const unknown = await put("nosuch", "title");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: "attribute_not_found" });
    const badName = await put("no-such", "title");
    expect(badName.status).toBe(400);
    expect(badName.body.code).toBe("invalid_attribute");
    const noDirectory = await admin("PUT", "/directories/00000000-0000-4000-8000-000000000000/attribute-mappings/phone", {
      scimPath: "title",
    });
    expect(noDirectory.status).toBe(404);
    expect(noDirectory.body.code).toBe("directory_not_found");
    expect((await admin("GET", "/directories/00000000-0000-4000-8000-000000000000/scim-paths")).status).toBe(404);
    expect((await admin("GET", `/directories/${d.directoryId}/attribute-remap`)).status).toBe(404);

    // a mapping, then null: back to the provider default
    expect(
      (await put("phone", 'phoneNumbers[type eq "mobile"].value')).body.data.find((m: { attribute: string }) => m.attribute === "phone"),
    ).toMatchObject({
      source: "directory",
    });
    const reset = await put("phone", null);
    expect(reset.status).toBe(200);
    expect(reset.body.data.find((m: { attribute: string }) => m.attribute === "phone")).toEqual({
      attribute: "phone",
      type: "string",
      required: false,
      scimPath: 'phoneNumbers[type eq "work"].value',
      source: "provider_default",
    });
  });
});

describe("remap", () => {
  it("recomputes existing users in the background: progress, exactly the changed users get user.updated, re-running changes nothing", async () => {
    expect((await admin("PUT", "/attributes/team", { type: "string" })).status).toBe(201);
    const d = await createDirectory("entra");
    const scim = scimClient(t, d);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const body = {
        ...azure.azureUser_1,
        userName: `user${i}@acme.example`,
        externalId: `u${i}`,
        ...(i < 20 ? { schemas: [...azure.azureUser_1.schemas, CUSTOM], [CUSTOM]: { team: `team-${i % 4}` } } : {}),
      };
      const res = await scim("POST", "/Users", body);
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    // "team" has no path in an Entra directory yet: null for everyone
    expect((await admin("GET", `/directories/${d.directoryId}/users/${ids[0]}`)).body.attributes.team).toBeNull();
    const before = (await eventsOf(t, d.directoryId)).length;

    const put = await admin("PUT", `/directories/${d.directoryId}/attribute-mappings/team`, { scimPath: `${CUSTOM}:team` });
    expect(put.status).toBe(200);
    // the job may already have been claimed by the time the response is built
    expect(["pending", "running"]).toContain(put.body.remap.state);
    expect(put.body.remap).toMatchObject({ processed: 0, changed: 0, finishedAt: null });
    const job = await remapDone(d.directoryId);
    expect(job).toMatchObject({ state: "done", total: 30, processed: 30, changed: 20, error: null });
    expect(Date.parse(job.finishedAt)).toBeGreaterThanOrEqual(Date.parse(job.startedAt));

    const events = (await eventsOf(t, d.directoryId)).slice(before);
    expect(events.every((e) => e.type === "user.updated")).toBe(true);
    expect(events.map((e) => e.data.id).sort()).toEqual(ids.slice(0, 20).sort());
    const first = events.find((e) => e.data.id === ids[1])!;
    expect(first.data.attributes).toMatchObject({ team: "team-1" });
    expect((await admin("GET", `/directories/${d.directoryId}/users/${ids[1]}`)).body.attributes.team).toBe("team-1");
    expect((await admin("GET", `/directories/${d.directoryId}/users/${ids[25]}`)).body.attributes.team).toBeNull();

    const rerun = await admin("POST", `/directories/${d.directoryId}/attribute-remap`);
    expect(rerun.status).toBe(202);
    expect(rerun.body.state).toBe("pending");
    expect(await remapDone(d.directoryId)).toMatchObject({ processed: 30, changed: 0 });
    expect((await eventsOf(t, d.directoryId)).length).toBe(before + 20);
  });

  it("resumes a job whose process died at its last committed batch, once its lease runs out", async () => {
    const d = await createDirectory("entra");
    const scim = scimClient(t, d);
    for (let i = 0; i < 12; i++) {
      const body = {
        ...azure.azureUser_1,
        userName: `resume${i}@acme.example`,
        schemas: [...azure.azureUser_1.schemas, CUSTOM],
        [CUSTOM]: { team: `t${i}` },
      };
      expect((await scim("POST", "/Users", body)).status).toBe(201);
    }
    const pool = t.app.db.pool;
    // a process that claimed the job, committed the first 5 users, and died holding a 1-hour lease
    await pool.query(`INSERT INTO directory_attribute_mappings (directory_id, attribute, scim_path) VALUES ($1, 'team', $2)`, [
      d.directoryId,
      `${CUSTOM}:team`,
    ]);
    const { rows } = await pool.query(`SELECT id, created_at FROM scim_users WHERE directory_id = $1 ORDER BY created_at, id LIMIT 5`, [
      d.directoryId,
    ]);
    await pool.query(
      `UPDATE scim_users SET attributes = attributes || jsonb_build_object('team', resource->$2->>'team') WHERE id = ANY($1::uuid[])`,
      [rows.map((r) => r.id), CUSTOM],
    );
    await pool.query(
      `INSERT INTO attribute_remap_jobs (directory_id, state, total, processed, changed, after_created_at, after_id, lease_until, started_at)
       VALUES ($1, 'running', 12, 5, 5, $2, $3, now() + interval '1 hour', now())`,
      [d.directoryId, rows[4].created_at, rows[4].id],
    );
    const before = (await eventsOf(t, d.directoryId)).length;
    // nobody takes over a live lease
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await admin("GET", `/directories/${d.directoryId}/attribute-remap`)).body).toMatchObject({ state: "running", processed: 5 });

    await pool.query(`UPDATE attribute_remap_jobs SET lease_until = now() - interval '1 second' WHERE directory_id = $1`, [d.directoryId]);
    expect(await remapDone(d.directoryId)).toMatchObject({ total: 12, processed: 12, changed: 12 });
    const events = (await eventsOf(t, d.directoryId)).slice(before);
    // only the 7 users after the cursor were recomputed, each once
    expect(events.map((e) => e.data.id).sort()).toEqual(
      (await pool.query(`SELECT id FROM scim_users WHERE directory_id = $1 ORDER BY created_at, id OFFSET 5`, [d.directoryId])).rows
        .map((r) => r.id)
        .sort(),
    );
  });

  it("a new SCIM write on another replica uses a changed mapping within a second (NOTIFY)", async () => {
    const other = await buildTestApp({}, t.database);
    try {
      const d = await createDirectory("entra");
      const onOther = scimClient(other, d);
      const created = await onOther("POST", "/Users", { ...azure.azureUser_1, userName: "replica@acme.example" });
      expect(created.status).toBe(201);
      expect(created.body.title).toBe("Manager");
      // the other replica has cached this directory's mapping (jobTitle → title)
      const read = async () => (await admin("GET", `/directories/${d.directoryId}/users/${created.body.id}`)).body.attributes.jobTitle;
      expect(await read()).toBe("Manager");
      expect((await admin("PUT", `/directories/${d.directoryId}/attribute-mappings/jobTitle`, { scimPath: "displayName" })).status).toBe(
        200,
      );
      const changedAt = Date.now();
      let n = 0;
      await until(
        "the other replica to map jobTitle from displayName",
        async () => {
          n += 1;
          await onOther("PATCH", `/Users/${created.body.id}`, {
            schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            Operations: [{ op: "replace", path: "displayName", value: `Replica ${n}` }],
          });
          return read();
        },
        (v) => v === `Replica ${n}`,
        1000,
      );
      expect(Date.now() - changedAt).toBeLessThan(1000);
    } finally {
      await other.close();
    }
  });
});
