// When a failed delivery is tried again. The schedule (WEBHOOK_RETRY_SCHEDULE, seconds) is the backoff
// curve itself; each delay gets ±20 % jitter so receivers that come back are not hit by every queued
// stream in the same instant.

export type RetryDecision = { kind: "retry"; delayMs: number } | { kind: "dead" };

/** After `attempts` failed attempts (1 = the first failed): retry after a delay, or dead-letter. */
export function afterFailedAttempt(attempts: number, schedule: readonly number[], random: () => number = Math.random): RetryDecision {
  const seconds = schedule[attempts - 1];
  if (seconds === undefined) return { kind: "dead" };
  const jitter = 0.8 + 0.4 * random();
  return { kind: "retry", delayMs: Math.round(seconds * 1000 * jitter) };
}

/** webhook-id: stable across retries of one delivery; a replay makes a new one so receivers process it again. */
export function webhookMessageId(eventId: string, generation: number): string {
  return generation === 0 ? `evt_${eventId}` : `evt_${eventId}_r${generation}`;
}
