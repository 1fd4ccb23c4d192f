import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";

// Runs the real service (src/server.ts, what `npm start` runs) as a child process.

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  output(): string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startServerProcess(env: Record<string, string | undefined>, script = "src/server.ts"): Promise<ServerProcess> {
  const port = Number(env.PORT ?? (await freePort()));
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info", ...env })) {
    if (v !== undefined) childEnv[k] = v;
  }
  const child = spawn(process.execPath, ["--import", "tsx", script], { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code, signal) => {
      if (signal) out += `\n[test harness] server killed by ${signal}\n`;
      resolve(code);
    }),
  );
  return {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => out,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls until the process has printed `text` or the time runs out. */
export async function waitForOutput(proc: ServerProcess, text: string, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!proc.output().includes(text)) {
    if (Date.now() - start > timeoutMs) throw new Error(`"${text}" not printed within ${timeoutMs} ms:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls until `url` answers 200 or the time runs out; returns the milliseconds it took. */
export async function waitForOk(url: string, timeoutMs: number, proc?: ServerProcess): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (proc && proc.child.exitCode !== null) throw new Error(`server exited early:\n${proc.output()}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return Date.now() - start;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms:\n${proc?.output() ?? ""}`);
}
