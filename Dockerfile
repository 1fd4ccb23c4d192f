# Multi-stage: build the TypeScript (server, worker, CLI and the Prisma client) with dev dependencies, then ship
# only production dependencies, the compiled code and the SQL migrations, running as the non-root `node` user.
# The base image is a build argument: the official Node image by default, a local stand-in where no image
# registry is reachable (docker/build-standins.sh). The classic builder needs no registry for its front end:
#   DOCKER_BUILDKIT=0 docker build --network host --build-arg NODE_IMAGE=scimbridge-standin/node:24-bookworm-slim .
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
# With scripts: the project's postinstall (`prisma generate`, offline) and the dependency set-up scripts that
# package.json approves by name, among them the embedded PostgreSQL platform package's (its library symlinks).
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Build, then keep only what production needs in the node_modules shipped below:
# - drop the dev dependencies. `npm prune --omit=dev` is not enough: packages that are dev dependencies and also
#   optional peers of a production one (prisma and its tree, typescript) stay. Installing again without the
#   devDependencies section removes them and touches nothing else (no download, the set-up scripts already ran).
# - the Prisma client ships query compilers for five databases; the generated client loads PostgreSQL's only.
# - source maps of dependencies.
RUN npm run build \
 && npm pkg delete devDependencies scripts.postinstall \
 && npm install --omit=dev --no-audit --no-fund \
 && find node_modules/@prisma/client/runtime -name 'query_compiler_*' ! -name '*.postgresql.*' -delete \
 && find node_modules -name '*.map' -delete \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY prisma/migrations ./prisma/migrations
# `scimbridge` on PATH runs the compiled CLI (docker compose exec scimbridge scimbridge directories list).
RUN printf '#!/bin/sh\nexec node /app/dist/cli/main.js "$@"\n' >/usr/local/bin/scimbridge \
 && chmod 0755 /usr/local/bin/scimbridge \
 && mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/server.js"]
