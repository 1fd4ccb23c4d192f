import type { FastifyReply, FastifyRequest } from "fastify";

// The console's session cookie. Under https it is `__Host-` prefixed (Secure, Path=/, no Domain: the browser
// refuses it otherwise, so no subdomain or plain-http page can plant or overwrite it); over plain http
// (local use) it is scoped to /console. Always HttpOnly and SameSite=Strict.

export interface SessionCookie {
  name: string;
  secure: boolean;
  path: string;
}

export function sessionCookieFor(publicUrl: string): SessionCookie {
  const secure = publicUrl.startsWith("https:");
  return secure ? { name: "__Host-scimbridge_console", secure, path: "/" } : { name: "scimbridge_console", secure, path: "/console" };
}

/** The cookie's value, if the request carries it exactly once (two same-named cookies: none, never a guess). */
export function readSessionCookie(request: FastifyRequest, cookie: SessionCookie): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  const values = header
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${cookie.name}=`))
    .map((part) => part.slice(cookie.name.length + 1));
  return values.length === 1 && /^[A-Za-z0-9_-]{20,100}$/.test(values[0]!) ? values[0] : undefined;
}

function attributes(cookie: SessionCookie): string {
  return `Path=${cookie.path}; HttpOnly; SameSite=Strict${cookie.secure ? "; Secure" : ""}`;
}

/** A browser-session cookie: the server decides expiry (sliding, src/console/console-sessions.ts). */
export function setSessionCookie(reply: FastifyReply, cookie: SessionCookie, token: string): void {
  reply.header("set-cookie", `${cookie.name}=${token}; ${attributes(cookie)}`);
}

export function clearSessionCookie(reply: FastifyReply, cookie: SessionCookie): void {
  reply.header("set-cookie", `${cookie.name}=; ${attributes(cookie)}; Max-Age=0`);
}
