#!/usr/bin/env bash
# What the test suite needs on this machine, installed or started if missing:
# Debian's chromium (Playwright never downloads browsers here) and a PostgreSQL server.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

if ! [ -x /usr/bin/chromium ]; then
  echo "prereqs: installing Debian chromium for the browser tests…"
  as_root apt-get install -y -q chromium >/dev/null || {
    as_root apt-get update -q >/dev/null && as_root apt-get install -y -q chromium >/dev/null
  } || { echo "prereqs: could not install chromium (need root or sudo)"; exit 1; }
fi

PGHOST_CHECK=${TEST_PGHOST:-127.0.0.1}
PGPORT_CHECK=${TEST_PGPORT:-5432}
if ! pg_isready -q -h "$PGHOST_CHECK" -p "$PGPORT_CHECK" 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "prereqs: starting PostgreSQL…"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST_CHECK" -p "$PGPORT_CHECK" && break; sleep 1; done
  pg_isready -q -h "$PGHOST_CHECK" -p "$PGPORT_CHECK" || {
    echo "prereqs: PostgreSQL is not reachable at $PGHOST_CHECK:$PGPORT_CHECK; set TEST_DATABASE_URL to one that is."
    exit 1
  }
fi
