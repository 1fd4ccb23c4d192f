import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../src/config.js";
import { checkWebhookTarget, refusedAddressReason, sendTimeTarget, WebhookTargetRejected } from "../../src/webhooks/target-policy.js";
import { WebhookSender } from "../../src/webhooks/webhook-sender.js";
import {
  createDirectory,
  deliveryRows,
  newWebhookSecret,
  type Receiver,
  setEndpoint,
  startReceiver,
  startTestWorker,
  useAppWithReceiver,
  waitFor,
  writeEvents,
} from "../helpers/event-fixtures.js";
import { testConfig } from "../helpers/test-app.js";

// SSRF: in production (unless WEBHOOK_ALLOW_PRIVATE_TARGETS=true) no webhook may reach a loopback, private,
// link-local or unique-local address, checked when configured and again at every send.

const production = (allow = false): Config =>
  testConfig("postgresql://unused/db", { NODE_ENV: "production", WEBHOOK_ALLOW_PRIVATE_TARGETS: String(allow) });

describe("webhook target policy", () => {
  it("classifies IPv4, IPv6 and IPv4-mapped addresses", () => {
    for (const refused of [
      "127.0.0.1",
      "10.0.0.5",
      "172.16.3.4",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "::1",
      "::",
      "fe80::1",
      "fd12:3456::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:10.0.0.1",
      "ff02::1",
    ]) {
      expect(refusedAddressReason(refused), refused).toMatch(/loopback, private, link-local or reserved/);
    }
    for (const allowed of ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2001:4860:4860::8888", "2a00:1450::1"]) {
      expect(refusedAddressReason(allowed), allowed).toBeUndefined();
    }
  });

  it("refuses every IPv6 form that embeds an IPv4 address, whatever the embedded address", () => {
    for (const refused of [
      "::ffff:0:7f00:1", // IPv4-translated 127.0.0.1
      "::ffff:0:127.0.0.1",
      "::ffff:0:a00:1", // IPv4-translated 10.0.0.1
      "::ffff:0:808:808", // IPv4-translated 8.8.8.8
      "::7f00:1", // IPv4-compatible
      "64:ff9b::7f00:1", // NAT64 127.0.0.1
      "64:ff9b::808:808", // NAT64 8.8.8.8
      "64:ff9b:1::a00:1", // NAT64 local-use
      "2002:7f00:1::1", // 6to4 127.0.0.1
      "2002:808:808::1", // 6to4 8.8.8.8
      "2001:0:4136:e378:8000:63bf:80ff:fffe", // Teredo, client 127.0.0.1 (obfuscated)
      "2001::1",
      "3fff::1", // documentation
    ]) {
      expect(refusedAddressReason(refused), refused).toMatch(/loopback, private, link-local or reserved/);
    }
  });

  it("refuses private targets at configure time in production, with the reason", async () => {
    const config = production();
    for (const url of [
      "http://127.0.0.1:8080/hooks",
      "https://[::1]/x",
      "http://[::ffff:127.0.0.1]/x",
      "http://10.1.2.3/x",
      "http://169.254.169.254/latest/meta-data",
      "http://localhost:3000/x",
      "http://[::ffff:0:7f00:1]/",
      "http://[::ffff:0:127.0.0.1]/x",
      "http://[64:ff9b::7f00:1]/x",
      "http://[2002:7f00:1::1]/x",
      "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/x",
    ]) {
      await expect(checkWebhookTarget(url, config), url).rejects.toThrow(WebhookTargetRejected);
    }
    await expect(checkWebhookTarget("http://10.1.2.3/x", config)).rejects.toThrow(
      "webhook target 10.1.2.3 refused: 10.1.2.3 is a loopback, private, link-local or reserved address",
    );
    await expect(checkWebhookTarget("https://93.184.216.34/hooks", config)).resolves.toBeUndefined();
  });

  it("refuses an IPv4-translated literal at send time too, before any connection", () => {
    expect(() => sendTimeTarget("http://[::ffff:0:7f00:1]/", production())).toThrow(
      "webhook target ::ffff:0:7f00:1 refused: ::ffff:0:7f00:1 is a loopback, private, link-local or reserved address",
    );
    expect(sendTimeTarget("http://[::ffff:0:7f00:1]/", production(true)).url.hostname).toBe("[::ffff:0:7f00:1]");
  });

  it("only accepts http(s) URLs, in every mode", async () => {
    for (const config of [production(), production(true), testConfig("postgresql://unused/db")]) {
      await expect(checkWebhookTarget("ftp://example.com/x", config)).rejects.toThrow("webhook url must use http or https");
      await expect(checkWebhookTarget("not a url", config)).rejects.toThrow("webhook url is not a valid URL");
    }
  });

  it("allows private targets outside production or when explicitly allowed", async () => {
    await expect(checkWebhookTarget("http://127.0.0.1:8080/hooks", testConfig("postgresql://unused/db"))).resolves.toBeUndefined();
    await expect(checkWebhookTarget("http://127.0.0.1:8080/hooks", production(true))).resolves.toBeUndefined();
  });

  describe("at send time", () => {
    let receiver: Receiver;
    beforeAll(async () => {
      receiver = await startReceiver();
    });
    afterAll(async () => receiver.close());

    it("refuses a name that resolves to loopback (DNS checked at connect) without sending", async () => {
      const sender = new WebhookSender(production());
      try {
        const port = new URL(receiver.url).port;
        const result = await sender.send({
          url: `http://localhost:${port}/hooks`,
          secret: newWebhookSecret(),
          messageId: "evt_1",
          payload: "{}",
        });
        expect(result.ok).toBe(false);
        expect(result.error).toMatch(/^webhook target localhost refused: .* is a loopback, private, link-local or reserved address/);
        const literal = await sender.send({ url: receiver.url, secret: newWebhookSecret(), messageId: "evt_1", payload: "{}" });
        expect(literal.error).toContain("webhook target 127.0.0.1 refused");
      } finally {
        sender.close();
      }
      expect(receiver.requests).toHaveLength(0);
    });
  });
});

describe("webhook delivery to a refused target in production", () => {
  const ctx = useAppWithReceiver();

  it("fails the delivery with a clear last_error and never reaches the receiver", async () => {
    const dir = await createDirectory(ctx.t.app.db);
    // stored while private targets were allowed; the send-time check still refuses it in production
    await setEndpoint(ctx.t.app.db, ctx.t.config, dir, ctx.receiver.url, newWebhookSecret());
    await writeEvents(ctx.t.app.db, dir, 1);
    const worker = startTestWorker(ctx.t.app.db, { ...ctx.t.config, production: true }, { allowPrivateTargets: false, retrySchedule: [] });
    try {
      await waitFor(async () => (await deliveryRows(ctx.t.app.db.pool))[0]?.status === "dead", 10000, "dead delivery");
    } finally {
      await worker.stop();
    }
    const [row] = await deliveryRows(ctx.t.app.db.pool);
    expect(row!.last_error).toBe(
      "webhook target 127.0.0.1 refused: 127.0.0.1 is a loopback, private, link-local or reserved address (set WEBHOOK_ALLOW_PRIVATE_TARGETS=true to allow)",
    );
    expect(ctx.receiver.requests).toHaveLength(0);
  });
});
