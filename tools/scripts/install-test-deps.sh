#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only when they are missing:
#   postgresql     initdb/pg_ctl: the infra test starts its own PostgreSQL on a spare port
#   redis-server   the infra test starts its own Redis on a spare port
#   nginx          the generated nginx config is run in front of the apps
#   caddy          the generated Caddyfile is run in front of the apps (production rehearsal)
#   docker-compose the generated docker-compose.yml is parsed by `docker-compose config` (no engine needed)
#   chromium       the browser tests drive Debian's chromium with playwright-core
# It needs root (or sudo) only when something is missing; it never skips silently.
set -euo pipefail

missing=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if ! command -v pg_ctl >/dev/null && [ -z "$pg_bin" ]; then missing+=(postgresql); fi
if ! command -v redis-server >/dev/null; then missing+=(redis-server); fi
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then missing+=(nginx); fi
if ! command -v caddy >/dev/null; then missing+=(caddy); fi
if ! command -v docker-compose >/dev/null; then missing+=(docker-compose); fi
if [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "test dependencies: all present (PostgreSQL binaries, redis-server, nginx, caddy, docker-compose, chromium)"
  exit 0
fi

echo "test dependencies: installing ${missing[*]} (Debian packages)"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "error: ${missing[*]} missing and not root: run 'sudo apt-get install -y ${missing[*]}'" >&2
    exit 1
  fi
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian starts nginx (port 80) and Caddy (ports 80 and 2019) after installing them where an init
# system runs; the tests run their own, so stop those.
if [[ " ${missing[*]} " == *" nginx "* ]] && [ -f /run/nginx.pid ]; then $SUDO nginx -s quit || true; fi
if [[ " ${missing[*]} " == *" caddy "* ]] && command -v systemctl >/dev/null && systemctl is-active --quiet caddy 2>/dev/null; then $SUDO systemctl stop caddy || true; fi
