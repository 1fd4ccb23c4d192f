import http from "node:http";
import https from "node:https";
import { Webhook } from "standardwebhooks";
import type { Config } from "../config.js";
import { sendTimeTarget, WebhookTargetRejected } from "./target-policy.js";

// One signed POST per message, per the Standard Webhooks spec. Success is a 2xx answer within the timeout;
// anything else is a failed attempt with a readable reason for the delivery log.

export interface WebhookMessage {
  url: string;
  /** whsec_<base64> */
  secret: string;
  /** webhook-id: the same for every attempt of one delivery, so receivers can deduplicate */
  messageId: string;
  payload: string;
}

export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

const MAX_ERROR_BODY = 200;

export class WebhookSender {
  // keep-alive: consecutive deliveries to one receiver reuse the connection
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(private readonly config: Config) {}

  async send(message: WebhookMessage): Promise<AttemptResult> {
    let target: ReturnType<typeof sendTimeTarget>;
    let headers: Record<string, string>;
    try {
      target = sendTimeTarget(message.url, this.config);
      const timestamp = new Date();
      headers = {
        "content-type": "application/json",
        "user-agent": "scimbridge-webhooks",
        "webhook-id": message.messageId,
        "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
        "webhook-signature": new Webhook(message.secret).sign(message.messageId, timestamp, message.payload),
      };
    } catch (err) {
      return { ok: false, statusCode: null, error: errorText(err, this.config.webhooks.timeoutMs) };
    }
    return this.post(target, headers, message.payload);
  }

  private post(target: ReturnType<typeof sendTimeTarget>, headers: Record<string, string>, body: string): Promise<AttemptResult> {
    const timeoutMs = this.config.webhooks.timeoutMs;
    const isHttps = target.url.protocol === "https:";
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: AttemptResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const request = (isHttps ? https : http).request(target.url, {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        agent: isHttps ? this.httpsAgent : this.httpAgent,
        lookup: target.lookup,
      });
      const timer = setTimeout(() => {
        finish({ ok: false, statusCode: null, error: `no answer within ${timeoutMs} ms` });
        request.destroy();
      }, timeoutMs);
      request.on("response", (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          if (size < MAX_ERROR_BODY) chunks.push(chunk);
          size += chunk.length;
        });
        response.on("end", () => {
          if (status >= 200 && status < 300) return finish({ ok: true, statusCode: status, error: null });
          const text = Buffer.concat(chunks).toString("utf8").slice(0, MAX_ERROR_BODY).trim();
          finish({ ok: false, statusCode: status, error: `receiver answered HTTP ${status}${text ? `: ${text}` : ""}` });
        });
        response.on("error", (err) => finish({ ok: false, statusCode: status, error: errorText(err, timeoutMs) }));
      });
      request.on("error", (err) => finish({ ok: false, statusCode: null, error: errorText(err, timeoutMs) }));
      request.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function errorText(err: unknown, timeoutMs: number): string {
  if (err instanceof WebhookTargetRejected) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e.code === "ECONNRESET" && /socket hang up/.test(e.message)) return `connection closed before an answer (timeout ${timeoutMs} ms)`;
  return e.code ? `${e.code}: ${e.message}` : String(e.message ?? err);
}
