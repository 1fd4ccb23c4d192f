import type { Config } from "../config.js";

// Which webhook URLs scimbridge will call. (Owned by the events/webhooks work: extend with the
// production SSRF rules — refuse loopback/private/link-local unless allowed — and resolve-and-check at send time.)

export class WebhookTargetRejected extends Error {}

/** Checks a webhook URL when it is configured; throws WebhookTargetRejected with a precise reason. */
export async function checkWebhookTarget(url: string, _config: Config): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookTargetRejected("webhook url is not a valid URL");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new WebhookTargetRejected("webhook url must use http or https");
  }
}
