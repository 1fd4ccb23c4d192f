import type { FastifyReply } from "fastify";
import { html } from "../html.js";
import { type Nonces, renderConsolePage } from "./console-layout.js";

// How an error looks in the console: the shared error renderer (src/http/error-handler.ts) classifies it,
// this draws it as a page. A 5xx detail is already generic there; nothing internal reaches the page.

export function sendConsoleErrorPage(reply: FastifyReply, status: number, title: string, detail: string) {
  // helmet's nonces exist once its hook ran; an error raised before (a malformed URL) gets an unstyled page
  const nonces = (reply.cspNonce as Nonces | undefined) ?? { script: "", style: "" };
  const body = html`<div class="notice bad" role="alert">${detail}</div>
<p><a href="/console/directories">Back to directories</a></p>`;
  return reply
    .code(status)
    .type("text/html; charset=utf-8")
    .send(renderConsolePage({ title: `${status} ${title}`, body }, nonces));
}
