#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests of the PostgreSQL backend.
#
#   scripts/postgres-test-server.sh start [--owner-pid PID] [--durable]
#       initdb + pg_ctl into a new temporary directory, listening on a free
#       port of 127.0.0.1 (its unix socket in that directory too), with a
#       database `banyan_test`. The last line on stdout is
#           BANYAN_TEST_POSTGRES_URL=postgres://USER@127.0.0.1:PORT/banyan_test
#       and the one before it
#           BANYAN_TEST_POSTGRES_DIR=DIRECTORY
#       With --owner-pid, the server stops and its directory is removed once
#       process PID has exited (a test process that started it for itself).
#       With --durable, fsync, synchronous_commit and full_page_writes keep
#       PostgreSQL's defaults (on): for benchmarks of durable commits (W6).
#   scripts/postgres-test-server.sh restart DIRECTORY
#       restarts that server (fast shutdown: its clients' connections drop).
#   scripts/postgres-test-server.sh stop DIRECTORY
#       stops that server and removes its directory.
#
# Debian's `postgresql` package provides the binaries. initdb refuses to run
# as root, so as root the server runs as the `postgres` system user the
# package creates (the role in the URL is then `postgres`); otherwise as the
# caller. Without --durable the server is tuned for tests, not for keeping
# data: fsync, synchronous_commit and full_page_writes are off, so a crash of
# the machine may lose what it held (nothing the tests keep).
set -euo pipefail

bindir() {
  local initdb
  initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$initdb" ]; then
    initdb=$(command -v initdb || true)
  fi
  if [ -z "$initdb" ]; then
    echo "postgres-test-server: no initdb found; install Debian's postgresql package (apt-get install postgresql)" >&2
    exit 1
  fi
  dirname "$initdb"
}

# Runs a command as the server's user.
as_server_user() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stop_server() {
  local dir=$1
  local bin
  bin=$(bindir)
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_server_user "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

start_server() {
  local owner_pid="" durable=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --owner-pid) owner_pid=$2; shift 2 ;;
      --durable) durable=1; shift ;;
      *) echo "postgres-test-server: unknown option $1" >&2; exit 2 ;;
    esac
  done
  local bin dir port user
  bin=$(bindir)
  dir=$(mktemp -d /tmp/banyan-postgres.XXXXXX)
  chmod 755 "$dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir"
    user=postgres
  else
    user=$(id -un)
  fi
  as_server_user "$bin/initdb" -D "$dir/data" -U "$user" --auth=trust --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  port=$(free_port)
  local options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir"
  if [ -z "$durable" ]; then
    options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  options+=" -c max_connections=400 -c shared_buffers=64MB"
  as_server_user "$bin/pg_ctl" -D "$dir/data" -o "$options" -l "$dir/server.log" -w -t 60 start >/dev/null || {
    cat "$dir/server.log" >&2
    exit 1
  }
  as_server_user "$bin/psql" -h "$dir" -p "$port" -U "$user" -d postgres -q -c "CREATE DATABASE banyan_test" >/dev/null
  if [ -n "$owner_pid" ]; then
    # Detached from the caller's pipes, so a caller reading stdout to its end is not held up.
    setsid bash -c "while kill -0 $owner_pid 2>/dev/null; do sleep 1; done; '$0' stop '$dir'" \
      </dev/null >/dev/null 2>&1 &
  fi
  echo "BANYAN_TEST_POSTGRES_DIR=$dir"
  echo "BANYAN_TEST_POSTGRES_URL=postgres://$user@127.0.0.1:$port/banyan_test"
}

restart_server() {
  as_server_user "$(bindir)/pg_ctl" -D "$1/data" -m fast -w -t 60 restart >/dev/null
}

case "${1:-}" in
  start) shift; start_server "$@" ;;
  restart) restart_server "$2" ;;
  stop) stop_server "$2" ;;
  *) echo "usage: $0 start [--owner-pid PID] [--durable] | restart DIRECTORY | stop DIRECTORY" >&2; exit 2 ;;
esac
