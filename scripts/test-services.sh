#!/usr/bin/env bash
# Brings up what the integration tests use besides Node: Postgres, Redis and promtool.
# Safe to run repeatedly. Prints the environment variables the tests read.
# Usage: source <(bash scripts/test-services.sh --env)   or   bash scripts/test-services.sh
set -euo pipefail

log() { echo "[services] $*" >&2; }

# Postgres: the machine's cluster on 127.0.0.1:5432 with trust auth and database `test`.
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    log "starting Postgres"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
fi
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  export PLOYD_TEST_DATABASE_URL="${PLOYD_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
else
  log "Postgres not available: Postgres-backed tests will say they skip"
fi

# Redis on 127.0.0.1:6379.
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null 2>&1; then
    log "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /tmp --logfile /tmp/ployd-redis.log || true
    sleep 0.5
  fi
fi
if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  export PLOYD_TEST_REDIS_URL="${PLOYD_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
else
  log "Redis not available: Redis-backed tests will say they skip"
fi

# promtool, from Debian's prometheus package, checks the alerting rules PloyD writes.
if ! command -v promtool >/dev/null 2>&1; then
  log "installing Debian's prometheus package for promtool"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus) >/dev/null 2>&1 \
    || log "could not install prometheus: promtool tests will say they skip"
fi

if [ "${1:-}" = "--env" ]; then
  echo "export PLOYD_TEST_DATABASE_URL=${PLOYD_TEST_DATABASE_URL:-}"
  echo "export PLOYD_TEST_REDIS_URL=${PLOYD_TEST_REDIS_URL:-}"
fi
