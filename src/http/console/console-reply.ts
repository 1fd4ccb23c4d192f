import type { FastifyReply, FastifyRequest } from "fastify";
import type { ConsoleSession } from "../../console/console-sessions.js";
import { ApiProblem } from "../problem.js";
import { type ConsolePage, type Nonces, renderConsolePage } from "./console-layout.js";

// What every console route uses to answer: the page sender, the session behind the guard, the form body.

/** Form bodies as name → first value (every console form is urlencoded; parsed in index.ts). */
export type FormBody = Record<string, string>;

/** Sends a console page (the nonces come from helmet's hook on this request). */
export function sendPage(reply: FastifyReply, page: ConsolePage) {
  return reply.type("text/html; charset=utf-8").send(renderConsolePage(page, reply.cspNonce as Nonces));
}

/** The session of a route behind the console's guard (always set there). */
export function sessionOf(request: FastifyRequest): ConsoleSession {
  if (!request.consoleSession) throw new ApiProblem(401, "unauthorized", "Unauthorized", "Sign in to use the console.");
  return request.consoleSession;
}

/** The urlencoded form of a POST (an empty object when there was no body). */
export function formOf(request: FastifyRequest): FormBody {
  return (request.body ?? {}) as FormBody;
}
