import { randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleDirectory, copyFieldValue, createDirectoryInConsole } from "../../helpers/console-directories.js";
import { type ConsoleClient, signInToConsole } from "../../helpers/console-session.js";
import { type Receiver, startReceiver } from "../../helpers/event-fixtures.js";
import { buildTestApp, type TestApp } from "../../helpers/test-app.js";

// A directory's webhook page: set the URL (secret shown once), send a test event to a real loopback receiver
// (verified with the secret the page showed), rotate the secret, change the URL, remove.

describe("console: webhook endpoint", () => {
  let t: TestApp;
  let c: ConsoleClient;
  let d: ConsoleDirectory;
  let receiver: Receiver;
  let secret = "";
  beforeAll(async () => {
    t = await buildTestApp();
    receiver = await startReceiver();
    c = await signInToConsole(t.app);
    d = await createDirectoryInConsole(c, { name: "Hook Co", tenant: "hook-t" });
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  const hookPath = () => `/console/directories/${d.id}/webhook`;

  it("shows that there is no endpoint, and refuses test and rotate until one is set", async () => {
    const page = await c.get(hookPath());
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("No webhook endpoint");
    expect(page.body).not.toContain(">Send test event</button>");
    for (const action of ["test", "rotate"]) {
      const res = await c.post(`${hookPath()}/${action}`);
      expect(res.statusCode).toBe(409);
      expect(res.body).toContain("This directory has no webhook endpoint. Set its URL first.");
    }
  });

  it("refuses a URL that is not http(s) with a 400 page", async () => {
    const res = await c.post(hookPath(), { url: "file:///etc/passwd" });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain("webhook url must use http or https");
    expect((await c.post(hookPath(), { url: "" })).body).toContain("Enter the webhook URL.");
  });

  it("sets the URL and shows the generated secret once", async () => {
    const res = await c.post(hookPath(), { url: receiver.url });
    expect(res.statusCode).toBe(201);
    secret = copyFieldValue(res.body, "webhook-secret")!;
    expect(secret).toMatch(/^whsec_/);
    expect(res.body).toContain("shown only on this page");
    const page = await c.get(hookPath());
    expect(page.body).toContain(receiver.url);
    expect(page.body).not.toContain(secret);
    expect(t.logText()).not.toContain(secret);
  });

  it("sends a signed test event the receiver can verify with that secret", async () => {
    receiver.respond = 204;
    const res = await c.post(`${hookPath()}/test`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("Test event delivered: the receiver answered HTTP 204");
    expect(receiver.requests).toHaveLength(1);
    const [got] = receiver.requests;
    const verified = new Webhook(secret).verify(got!.body, got!.headers) as Record<string, unknown>;
    expect(verified).toMatchObject({ type: "webhook.test", directoryId: d.id, tenant: "hook-t" });
    expect(res.body).toContain(got!.headers["webhook-id"]);
    // a test is not an event of the directory
    expect(await t.app.db.prisma.event.count({ where: { directoryId: d.id } })).toBe(0);
    expect(await t.app.db.prisma.webhookDelivery.count()).toBe(0);
  });

  it("says why a test event was not delivered", async () => {
    receiver.respond = 500;
    const res = await c.post(`${hookPath()}/test`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("Test event not delivered: receiver answered HTTP 500: receiver is down.");
    receiver.respond = 204;
  });

  it("rotates the secret: shown once, and the next test event is signed with it", async () => {
    const res = await c.post(`${hookPath()}/rotate`);
    expect(res.statusCode).toBe(200);
    const rotated = copyFieldValue(res.body, "webhook-secret")!;
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    receiver.requests.length = 0;
    await c.post(`${hookPath()}/test`);
    const [got] = receiver.requests;
    expect(() => new Webhook(secret).verify(got!.body, got!.headers)).toThrow();
    expect(new Webhook(rotated).verify(got!.body, got!.headers)).toMatchObject({ type: "webhook.test" });
    secret = rotated;
  });

  it("changes the URL keeping the secret, then removes the endpoint", async () => {
    const changed = await c.post(hookPath(), { url: `${receiver.url}/v2` });
    expect(changed.statusCode).toBe(303);
    expect(changed.headers.location).toBe(`${hookPath()}?notice=webhook-saved`);
    const page = await c.get(changed.headers.location as string);
    expect(page.body).toContain(`${receiver.url}/v2`);
    expect(page.body).toContain("Webhook URL saved. Its secret did not change.");
    receiver.requests.length = 0;
    await c.post(`${hookPath()}/test`);
    expect(new Webhook(secret).verify(receiver.requests[0]!.body, receiver.requests[0]!.headers)).toMatchObject({ type: "webhook.test" });

    const removed = await c.post(`${hookPath()}/remove`);
    expect(removed.statusCode).toBe(303);
    expect((await c.get(removed.headers.location as string)).body).toContain("Webhook removed");
    expect(await t.app.db.prisma.webhookEndpoint.count({ where: { directoryId: d.id } })).toBe(0);
  });

  it("escapes a hostile URL and answers an unknown directory with 404", async () => {
    const hostile = `http://127.0.0.1:9/"><script>alert(1)</script>`;
    expect((await c.post(hookPath(), { url: hostile })).statusCode).toBe(201);
    const page = await c.get(hookPath());
    expect(page.body).not.toContain("<script>alert(1)</script>");
    for (const path of ["", "/test", "/rotate", "/remove"]) {
      expect((await c.post(`/console/directories/${randomUUID()}/webhook${path}`, { url: receiver.url })).statusCode).toBe(404);
    }
    expect((await c.get(`/console/directories/${randomUUID()}/webhook`)).statusCode).toBe(404);
  });
});
