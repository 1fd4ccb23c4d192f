import { type FastifyReply, type FastifyRequest, LogController } from "fastify";

// One log line per request, written when the response is sent: method and url (redacted by the
// logger's req serializer), status, time, and the request id (on request.log). Fastify's default is
// two lines ("incoming request" and "request completed"); at info level that doubled the logging cost.

export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const fields = { req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...fields, err: error }, "request errored");
    else reply.log.info(fields, "request completed");
  }
}
