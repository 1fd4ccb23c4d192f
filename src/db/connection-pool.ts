import pg from "pg";

// pg-pool's own query() hands the connection back with the error on ANY failure, and pg-pool then closes it.
// A unique violation (SCIM 409), a foreign-key miss or a statement timeout is an answer from a healthy
// connection: closing it made every such request pay for a new backend (fork, authentication, cold catalog
// and plan caches: ~30 ms instead of ~2 ms), and a burst of Entra retries answered 409 churned connections
// until the pool's connect timeout answered 503. This pool keeps a connection after an error the server
// answered and discards it only when the connection itself failed.

/** An error the server answered on a connection that stays usable (anything short of FATAL/PANIC). */
export function leavesConnectionUsable(err: unknown): boolean {
  return err instanceof pg.DatabaseError && err.severity !== "FATAL" && err.severity !== "PANIC";
}

export class ConnectionPool extends pg.Pool {
  constructor(config?: pg.PoolConfig) {
    super(config);
    const poolQuery = this.query.bind(this) as (...args: unknown[]) => unknown;
    // The promise forms of query (the ones the app and Prisma's adapter use) keep the connection; a
    // callback or a Submittable (a stream) goes to pg-pool's own implementation.
    this.query = ((...args: unknown[]) => {
      const [first, second, third] = args;
      const submittable = typeof first === "object" && first !== null && typeof (first as { submit?: unknown }).submit === "function";
      if (submittable || typeof second === "function" || typeof third === "function") return poolQuery(...args);
      return this.queryKeepingConnection(args);
    }) as pg.Pool["query"];
  }

  private async queryKeepingConnection(args: unknown[]): Promise<pg.QueryResult> {
    const client = await this.connect();
    try {
      const result = await (client.query as (...a: unknown[]) => Promise<pg.QueryResult>)(...args);
      client.release();
      return result;
    } catch (err) {
      client.release(leavesConnectionUsable(err) ? undefined : (err as Error));
      throw err;
    }
  }
}
