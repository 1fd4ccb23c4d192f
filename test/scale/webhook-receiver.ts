import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

// A webhook receiver on loopback, as a SaaS app runs one: every delivery's Standard Webhooks signature is checked
// with the reference verifier (the `standardwebhooks` package) against its directory's secret, and each accepted
// delivery is recorded with its webhook-id, event id and arrival time. A delivery that fails verification is
// answered 400 and counted.

export interface Receipt {
  directoryId: string;
  webhookId: string;
  eventId: string;
  at: number;
}

export interface WebhookReceiver {
  /** The endpoint URL to give one directory: /hooks/<key> */
  urlFor(key: string): string;
  /** The directory's secret (whsec_…, from the create response) that deliveries to /hooks/<key> must be signed with. */
  register(key: string, directoryId: string, secret: string): void;
  receipts: Receipt[];
  rejected: string[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const endpoints = new Map<string, { directoryId: string; verifier: Webhook }>();
  const receipts: Receipt[] = [];
  const rejected: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const key = (req.url ?? "").replace(/^\/hooks\//, "");
      const endpoint = endpoints.get(key);
      const body = Buffer.concat(chunks).toString("utf8");
      try {
        if (!endpoint) throw new Error(`no endpoint ${req.url}`);
        const event = endpoint.verifier.verify(body, req.headers as Record<string, string>) as { id: string; directoryId: string };
        if (event.directoryId !== endpoint.directoryId) throw new Error(`event of directory ${event.directoryId} at ${req.url}`);
        receipts.push({
          directoryId: endpoint.directoryId,
          webhookId: String(req.headers["webhook-id"]),
          eventId: event.id,
          at: Date.now(),
        });
        res.writeHead(204).end();
      } catch (err) {
        rejected.push(`${req.url} ${req.headers["webhook-id"]}: ${(err as Error).message}`);
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlFor: (key) => `http://127.0.0.1:${port}/hooks/${key}`,
    register(key, directoryId, secret) {
      endpoints.set(key, { directoryId, verifier: new Webhook(secret) });
    },
    receipts,
    rejected,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
