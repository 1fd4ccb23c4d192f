#!/usr/bin/env bash
# Builds the stand-ins compose.yml needs on a machine that reaches no image registry: the base stand-ins
# (../build-standins.sh: Debian, Node 24, PostgreSQL) plus HAProxy and PgBouncer from Debian packages.
#   scimbridge-standin/haproxy:bookworm    scimbridge-standin/pgbouncer:bookworm
# Then: HAPROXY_IMAGE=scimbridge-standin/haproxy:bookworm PGBOUNCER_IMAGE=scimbridge-standin/pgbouncer:bookworm \
#       POSTGRES_IMAGE=scimbridge-standin/postgres:bookworm NODE_IMAGE=scimbridge-standin/node:24-bookworm-slim \
#       docker compose -f docker/scale-out/compose.yml up
set -euo pipefail
cd "$(dirname "$0")"
../build-standins.sh
export DOCKER_BUILDKIT=0
DEBIAN_IMAGE="${STANDIN_DEBIAN_IMAGE:-scimbridge-standin/debian:bookworm}"
for tool in haproxy pgbouncer; do
  image="scimbridge-standin/${tool}:bookworm"
  if docker image inspect "$image" >/dev/null 2>&1; then echo "standins: reusing $image"; continue; fi
  docker build --network host -q --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" -t "$image" "${tool}-standin" >/dev/null
  echo "standins: built $image"
done
