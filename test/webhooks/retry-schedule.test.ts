import { describe, expect, it } from "vitest";
import { afterFailedAttempt, webhookMessageId } from "../../src/webhooks/retry-schedule.js";

describe("retry schedule", () => {
  const schedule = [5, 300, 1800];

  it("waits the scheduled delay with ±20 % jitter, then dead-letters after the last attempt", () => {
    expect(afterFailedAttempt(1, schedule, () => 0)).toEqual({ kind: "retry", delayMs: 4000 });
    expect(afterFailedAttempt(1, schedule, () => 0.5)).toEqual({ kind: "retry", delayMs: 5000 });
    expect(afterFailedAttempt(2, schedule, () => 0.999999)).toEqual({ kind: "retry", delayMs: 360000 });
    expect(afterFailedAttempt(3, schedule, () => 0.5)).toEqual({ kind: "retry", delayMs: 1800000 });
    expect(afterFailedAttempt(4, schedule)).toEqual({ kind: "dead" });
    expect(afterFailedAttempt(1, [])).toEqual({ kind: "dead" });
  });

  it("webhook-id is stable per delivery and new per replay", () => {
    expect(webhookMessageId("1042", 0)).toBe("evt_1042");
    expect(webhookMessageId("1042", 2)).toBe("evt_1042_r2");
  });
});
