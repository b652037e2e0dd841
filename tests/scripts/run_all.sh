#!/usr/bin/env bash
# Run the whole suite on SQLite (with the browser tests) and on PostgreSQL (without them).
# Installs Debian's postgresql and chromium when missing and runs a throwaway cluster.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
PY=.venv/bin/python

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

need=()
[ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v msgfmt >/dev/null || true
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]} from Debian's packages"
  as_root apt-get update -qq || { echo "apt-get update failed"; exit 1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need[@]}" >/dev/null \
    || { echo "apt-get install ${need[*]} failed"; exit 1; }
fi

PGBIN=$(pg_bin)
PGDIR=$(mktemp -d /tmp/allmende-pg.XXXXXX)
PGPORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$PGDIR"; fi

stop_pg() { run_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1; rm -rf "$PGDIR"; }
trap stop_pg EXIT

echo "== starting PostgreSQL on 127.0.0.1:$PGPORT"
run_pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null \
  || { echo "initdb failed"; exit 1; }
run_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null \
  || { echo "PostgreSQL did not start:"; cat "$PGDIR/log"; exit 1; }
run_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres allmende_test || exit 1

export PG_ADMIN_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
mkdir -p test-artifacts

echo "== suite on SQLite (with browser tests)"
$PY -m pytest -p no:cacheprovider "$@"
sqlite_rc=$?

echo "== suite on PostgreSQL (browser tests ran on SQLite)"
TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/allmende_test" \
  $PY -m pytest -p no:cacheprovider -m "not browser" "$@"
pg_rc=$?

echo "== SQLite: exit $sqlite_rc, PostgreSQL: exit $pg_rc"
if [ $sqlite_rc -ne 0 ] || [ $pg_rc -ne 0 ]; then
  echo "make test FAILED"
  exit 1
fi
echo "make test passed on both databases"
