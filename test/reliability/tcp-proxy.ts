import net from "node:net";

// A TCP proxy in front of the shared Postgres server that a test can cut and restore. Cutting resets
// every open connection and refuses new ones, which is what the service sees when Postgres restarts or
// the network drops; and it affects only the service under test, never the other test files using
// the same server (unlike restarting Postgres or ALTER DATABASE … ALLOW_CONNECTIONS on a shared server).

export interface TcpProxy {
  port: number;
  /** Resets open connections; `mode` "refuse" closes the port, "blackhole" accepts and never answers. */
  cut(mode?: "refuse" | "blackhole"): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let mode: "open" | "refuse" | "blackhole" = "open";
  let port = 0;
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => s.destroy());
  };
  const onConnection = (client: net.Socket) => {
    track(client);
    if (mode === "blackhole") return; // accepted, never answered
    if (mode === "refuse") {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    track(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end);
    upstream.on("close", end);
  };
  let server = net.createServer(onConnection);
  const listen = (srv: net.Server, p: number) =>
    new Promise<number>((resolve, reject) => {
      srv.once("error", reject);
      srv.listen(p, "127.0.0.1", () => resolve((srv.address() as net.AddressInfo).port));
    });
  const stop = (srv: net.Server) => new Promise<void>((resolve) => (srv.listening ? srv.close(() => resolve()) : resolve()));
  port = await listen(server, 0);

  return {
    port,
    async cut(cutMode = "refuse") {
      mode = cutMode;
      for (const s of sockets) s.destroy();
      // "refuse": nothing listens on the port any more, so connects fail at once (ECONNREFUSED)
      if (cutMode === "refuse") await stop(server);
    },
    async restore() {
      mode = "open";
      for (const s of sockets) s.destroy();
      if (!server.listening) {
        server = net.createServer(onConnection);
        await listen(server, port);
      }
    },
    async close() {
      for (const s of sockets) s.destroy();
      await stop(server);
    },
  };
}
