import { describe, expect, it } from "vitest";
import { checkWebhookSecret, generateWebhookSecret, InvalidWebhook } from "../../src/directories/directory-webhook.js";

describe("webhook secrets", () => {
  it("generates Standard Webhooks secrets of 32 random bytes", () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(a.slice(6), "base64")).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(a);
    expect(() => checkWebhookSecret(a)).not.toThrow();
  });

  it.each([
    ["no prefix", Buffer.alloc(32).toString("base64")],
    ["too short", `whsec_${Buffer.alloc(23).toString("base64")}`],
    ["not base64", `whsec_${"!".repeat(40)}`],
    ["empty", "whsec_"],
  ])("rejects a secret with %s", (_why, secret) => {
    expect(() => checkWebhookSecret(secret)).toThrow(InvalidWebhook);
  });

  it("accepts 24 bytes, the minimum", () => {
    expect(() => checkWebhookSecret(`whsec_${Buffer.alloc(24, 9).toString("base64")}`)).not.toThrow();
  });
});
