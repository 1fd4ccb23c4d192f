import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply } from "fastify";
import { Type } from "typebox";
import { DirectoryNotFound } from "../../directories/directory-service.js";
import { TokenLimitReached } from "../../directories/directory-tokens.js";
import { provisioningStatus } from "../../request-log/provisioning-status.js";
import { issueSecretTokenForLink, type OpenedSetupLink, openSetupLink, type SetupDirectory } from "../../setup-links/setup-link-service.js";
import { setupLinkKey } from "../../setup-links/setup-link-token.js";
import { isCrossSiteRequest } from "./same-origin.js";
import { type Nonces, renderMessagePage, renderSetupPage, type SecretTokenSlot } from "./setup-page.js";
import { statusDisplay } from "./status-view.js";
import { registerPageSecurity } from "../plugins/page-security.js";

// The IT admin's setup page at /setup/{token}. The URL itself is the credential, so responses are never
// cached or sent as a referrer, and the token is cut out of logged URLs (src/logger.ts).

const TokenParams = Type.Object({ token: Type.String() });

const INVALID: Record<Exclude<OpenedSetupLink["state"], "valid">, { status: number; title: string; message: string }> = {
  expired: {
    status: 410,
    title: "This setup link has expired",
    message:
      "Setup links are valid for a limited time. Ask the team that sent it to you for a new link; connections you already set up keep working.",
  },
  revoked: {
    status: 410,
    title: "This setup link was revoked",
    message: "The team that sent this link has withdrawn it. Ask them for a new link; connections you already set up keep working.",
  },
  unknown: {
    status: 404,
    title: "This setup link is not valid",
    message:
      "The link is incomplete or was never issued. Check that you copied the whole link, or ask the team that sent it for a new one.",
  },
};

const CROSS_SITE = {
  title: "This request came from another site",
  message:
    "A new Secret Token can only be created from the setup page itself. Open the setup link you were sent and use its Reveal token button.",
};

const LinkError = Type.Object({ error: Type.String(), message: Type.String() });

const StatusJson = Type.Object({
  lastRequest: Type.Union([
    Type.Object({ at: Type.String(), method: Type.String(), path: Type.String(), status: Type.Integer() }),
    Type.Null(),
  ]),
  testConnection: Type.Object({
    seen: Type.Boolean(),
    lastAttemptAt: Type.Union([Type.String(), Type.Null()]),
    lastAttemptStatus: Type.Union([Type.Integer(), Type.Null()]),
  }),
  users: Type.Integer(),
  groups: Type.Integer(),
  unauthenticatedRecently: Type.Integer(),
  recentErrors: Type.Array(
    Type.Object({
      at: Type.String(),
      method: Type.String(),
      path: Type.String(),
      status: Type.Integer(),
      scimType: Type.Union([Type.String(), Type.Null()]),
      detail: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  display: Type.Object({
    state: Type.String(),
    headline: Type.String(),
    lastRequest: Type.String(),
    testConnection: Type.String(),
    users: Type.String(),
    groups: Type.String(),
    unauthenticated: Type.String(),
    errors: Type.Array(Type.Object({ title: Type.String(), detail: Type.String() })),
  }),
});

export const setupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const key = setupLinkKey(app.config.secretsKey);

  await registerPageSecurity(app);
  // the Reveal token form posts an empty urlencoded body; nothing in it is read
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 1024 }, (_request, _body, done) =>
    done(null, {}),
  );

  const nonces = (reply: FastifyReply): Nonces => reply.cspNonce as Nonces;
  const tenantUrl = (directoryId: string) => `${app.config.publicUrl}/scim/v2/${directoryId}`;

  async function renderPage(
    reply: FastifyReply,
    directory: SetupDirectory,
    linkExpiresAt: Date,
    paths: { reveal: string; status: string },
    secretToken: SecretTokenSlot,
  ) {
    const status = await provisioningStatus(app.db, directory.id);
    return reply.type("text/html; charset=utf-8").send(
      renderSetupPage(
        {
          directoryName: directory.name,
          directoryDisabled: directory.disabled,
          tenantUrl: tenantUrl(directory.id),
          linkExpiresAt,
          revealAction: paths.reveal,
          statusUrl: paths.status,
          secretToken,
          status: statusDisplay(status),
        },
        nonces(reply),
      ),
    );
  }

  function renderInvalid(reply: FastifyReply, state: keyof typeof INVALID) {
    const page = INVALID[state];
    return reply
      .code(page.status)
      .type("text/html; charset=utf-8")
      .send(renderMessagePage(page.title, page.message, nonces(reply)));
  }

  const hidden = { hide: true, params: TokenParams };

  /**
   * Opens the link only in the one spelling we issue: the path exactly as the client sent it must be
   * /setup/<token><suffix>, so a percent-encoded, re-cased or extended spelling is an unknown link like any
   * other (the token itself is checked for its one encoding in setup-link-token.ts).
   */
  function openLink(request: { url: string; params: { token: string } }, suffix: string): Promise<OpenedSetupLink> {
    const path = request.url.split("?", 1)[0];
    if (path !== `/setup/${request.params.token}${suffix}`) return Promise.resolve({ state: "unknown" });
    return openSetupLink(app.db, key, request.params.token);
  }

  app.get("/setup/:token", { schema: hidden }, async (request, reply) => {
    const link = await openLink(request, "");
    if (link.state !== "valid") return renderInvalid(reply, link.state);
    // relative to /setup/<token>: keeps working when PUBLIC_URL has a path prefix
    const self = encodeURIComponent(request.params.token);
    return renderPage(
      reply,
      link.directory,
      link.expiresAt,
      { reveal: `${self}/secret-token`, status: `${self}/status` },
      { kind: "hidden" },
    );
  });

  app.post("/setup/:token/secret-token", { schema: hidden }, async (request, reply) => {
    // before the link is even looked up: a page elsewhere learns nothing, and issues nothing
    if (isCrossSiteRequest(request, app.config.publicUrl)) {
      return reply
        .code(403)
        .type("text/html; charset=utf-8")
        .send(renderMessagePage(CROSS_SITE.title, CROSS_SITE.message, nonces(reply)));
    }
    const link = await openLink(request, "/secret-token");
    if (link.state !== "valid") return renderInvalid(reply, link.state);
    const paths = { reveal: "secret-token", status: "status" };
    try {
      const issued = await issueSecretTokenForLink(app.db, app.config, link);
      request.log.info({ directoryId: link.directory.id, tokenId: issued.id }, "secret token issued from a setup link");
      return await renderPage(reply, link.directory, link.expiresAt, paths, {
        kind: "revealed",
        secretToken: issued.secretToken,
        expiresAt: issued.expiresAt,
      });
    } catch (err) {
      // deleting a directory deletes its links: the page now says what opening the link would say
      if (err instanceof DirectoryNotFound) return renderInvalid(reply, "unknown");
      if (!(err instanceof TokenLimitReached)) throw err;
      reply.code(409);
      const message = `This connection already has the maximum of ${app.config.maxTokensPerDirectory} active Secret Tokens, so no new one can be created. Use a token you saved earlier, or ask the team that sent this link to revoke an unused token.`;
      return renderPage(reply, link.directory, link.expiresAt, paths, { kind: "limit", message });
    }
  });

  app.get(
    "/setup/:token/status",
    { schema: { ...hidden, response: { 200: StatusJson, 404: LinkError, 410: LinkError } } },
    async (request, reply) => {
      const link = await openLink(request, "/status");
      if (link.state !== "valid") {
        const page = INVALID[link.state];
        return reply.code(page.status as 404 | 410).send({ error: link.state, message: page.title });
      }
      const s = await provisioningStatus(app.db, link.directory.id);
      const attempt = s.testConnection.lastAttempt;
      return {
        lastRequest: s.lastRequest && { ...s.lastRequest, at: s.lastRequest.at.toISOString() },
        testConnection: {
          seen: s.testConnection.seen,
          lastAttemptAt: attempt?.at.toISOString() ?? null,
          lastAttemptStatus: attempt?.status ?? null,
        },
        users: s.users,
        groups: s.groups,
        unauthenticatedRecently: s.unauthenticatedRecently,
        recentErrors: s.recentErrors.map((e) => ({ ...e, at: e.at.toISOString() })),
        display: statusDisplay(s),
      };
    },
  );
};
