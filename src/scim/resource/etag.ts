import { preconditionFailed } from "../errors.js";

// meta.version is a weak ETag over the row's version counter (RFC 7644 §3.14).

export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/** Throws 412 unless If-Match is absent, `*`, or lists the current version (weak comparison). */
export function checkIfMatch(ifMatch: string | undefined, version: number): void {
  if (ifMatch === undefined || ifMatch.trim() === "") return;
  const wanted = String(version);
  for (const raw of ifMatch.split(",")) {
    const tag = raw.trim();
    if (tag === "*") return;
    const opaque = /^(?:W\/)?"([^"]*)"$/i.exec(tag)?.[1] ?? tag;
    if (opaque === wanted) return;
  }
  throw preconditionFailed(`If-Match ${ifMatch} does not match the current version ${etagOf(version)}`);
}
