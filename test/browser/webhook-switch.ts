import http from "node:http";
import type { AddressInfo } from "node:net";

// A webhook receiver on loopback that answers 500 until the test switches it to 204: a SaaS app whose endpoint
// is down at first and comes back, as the console's retry is for.

export interface SwitchableReceiver {
  url: string;
  /** webhook-id of every request that was answered 2xx */
  accepted: string[];
  failedRequests: number;
  answerOk(): void;
  close(): Promise<void>;
}

export async function startSwitchableReceiver(): Promise<SwitchableReceiver> {
  let ok = false;
  const receiver: Omit<SwitchableReceiver, "url" | "close"> = {
    accepted: [],
    failedRequests: 0,
    answerOk: () => {
      ok = true;
    },
  };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (!ok) {
        receiver.failedRequests++;
        return void res.writeHead(500, { "content-type": "text/plain" }).end("receiver is down");
      }
      receiver.accepted.push(String(req.headers["webhook-id"]));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/scimbridge`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
