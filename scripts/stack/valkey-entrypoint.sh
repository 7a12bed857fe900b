#!/bin/sh
# The Valkey stand-in's entrypoint (what the official image's does, written for Debian's redis-server):
# a bare `valkey-server ...` runs with protected mode off (the official build's default: the container network,
# not the server, decides who connects), as the unprivileged user, owning /data.
set -eu
if [ "${1:-}" = valkey-server ]; then
  shift
  set -- valkey-server --protected-mode no "$@"
  if [ "$(id -u)" = 0 ]; then
    find . \! -user redis -exec chown redis:redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
  fi
fi
exec "$@"
