import type { FastifyRequest } from "fastify";

// Cross-site request refusal for the setup page's state-changing requests (Reveal token issues a credential).
// A browser says where a request comes from in Sec-Fetch-Site (Chromium, Firefox, Safari 16.4+) and in Origin.
// Refused: Sec-Fetch-Site other than same-origin / none; an Origin other than PUBLIC_URL's origin or the
// request's own Host; Origin "null" (sandboxed frames, opaque origins) unless Sec-Fetch-Site vouches for it:
// the page is served with Referrer-Policy: no-referrer, under which Chromium sends `Origin: null` with
// `Sec-Fetch-Site: same-origin` on the page's own form POST. A client that sends neither header is not a
// browser a third-party page can drive (curl, scripts), so it is let through: the link is the credential.

const ALLOWED_FETCH_SITES = new Set(["same-origin", "none"]);

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

export function isCrossSiteRequest(request: FastifyRequest, publicUrl: string): boolean {
  const rawFetchSite = request.headers["sec-fetch-site"];
  const fetchSite = rawFetchSite === undefined ? undefined : String(rawFetchSite).toLowerCase();
  if (fetchSite !== undefined && !ALLOWED_FETCH_SITES.has(fetchSite)) return true;
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  if (origin === "null") return fetchSite === undefined;
  if (origin === new URL(publicUrl).origin) return false;
  // the request's own host (a deployment reached under another name than PUBLIC_URL): the browser sets
  // Host and Origin itself, so a page elsewhere cannot make them agree
  const host = originHost(origin);
  return host === null || host !== request.headers.host;
}
