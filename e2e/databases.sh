#!/usr/bin/env bash
# Throwaway PostgreSQL and MariaDB servers on loopback for the hub's real-database tests (tests/hub).
#
#   e2e/databases.sh up     install the servers with apt-get if missing, start both with fresh data directories,
#                           create the user and database `pykro`, print the connection URLs as export lines
#   e2e/databases.sh env    print the export lines again (eval "$(e2e/databases.sh env)")
#   e2e/databases.sh down   stop both and remove their data directories
#
# Data, sockets and logs live in $PYKRO_DB_DIR (default /tmp/pykro-databases); ports $PYKRO_PG_PORT (55432) and
# $PYKRO_MYSQL_PORT (53306), bound to 127.0.0.1 only. Servers refuse to run as root, so as root they run as the
# `postgres` / `mysql` system users the packages create.
set -euo pipefail

DIR="${PYKRO_DB_DIR:-/tmp/pykro-databases}"
PG_PORT="${PYKRO_PG_PORT:-55432}"
MY_PORT="${PYKRO_MYSQL_PORT:-53306}"
PG_URL="postgresql+psycopg://pykro:pykro@127.0.0.1:${PG_PORT}/pykro"
MY_URL="mysql+pymysql://pykro:pykro@127.0.0.1:${MY_PORT}/pykro"

as_user() {  # run as $1 when root, else as ourselves
  local user="$1"; shift
  if [ "$(id -u)" = 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
my_bin() { command -v mariadbd || command -v mysqld || ls /usr/sbin/mariadbd /usr/sbin/mysqld 2>/dev/null | head -1; }

install() {
  local want=()
  [ -n "$(pg_bin)" ] || want+=(postgresql)
  [ -n "$(my_bin)" ] || want+=(mariadb-server mariadb-client)
  [ ${#want[@]} -eq 0 ] && return
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # the packages' own services are not wanted (we start private servers): forbid their start during install
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $sudo apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
}

env_lines() {
  echo "export PYKRO_TEST_POSTGRES_URL='${PG_URL}'"
  echo "export PYKRO_TEST_MYSQL_URL='${MY_URL}'"
}

up_postgres() {
  local bin; bin="$(pg_bin)"
  local data="$DIR/pg"
  rm -rf "$data"; mkdir -p "$data" "$DIR/pg-sock"
  [ "$(id -u)" = 0 ] && chown -R postgres: "$data" "$DIR/pg-sock"
  printf 'pykro\n' > "$DIR/pg-pass"; chmod 644 "$DIR/pg-pass"
  as_user postgres "$bin/initdb" -D "$data" -U pykro --pwfile="$DIR/pg-pass" --auth=scram-sha-256 -E UTF8 >/dev/null
  as_user postgres "$bin/pg_ctl" -D "$data" -l "$DIR/pg.log" -w -o \
    "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $DIR/pg-sock -c fsync=off" start >/dev/null
  PGPASSWORD=pykro "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U pykro pykro
}

up_mariadb() {
  local bin; bin="$(my_bin)"
  local data="$DIR/my"
  rm -rf "$data"; mkdir -p "$data"
  local user; user="$(id -un)"; [ "$(id -u)" = 0 ] && user=mysql && chown -R mysql: "$data" "$DIR"/my*
  mariadb-install-db --no-defaults --user="$user" --datadir="$data" --auth-root-authentication-method=socket \
    >"$DIR/my-install.log" 2>&1
  "$bin" --no-defaults --user="$user" --datadir="$data" --port="$MY_PORT" --bind-address=127.0.0.1 \
    --socket="$DIR/my.sock" --pid-file="$DIR/my.pid" --log-error="$DIR/my.log" --skip-log-bin \
    --innodb-flush-log-at-trx-commit=0 >/dev/null 2>&1 &
  for _ in $(seq 100); do [ -S "$DIR/my.sock" ] && break; sleep 0.2; done
  mariadb --no-defaults -S "$DIR/my.sock" -u root <<SQL
CREATE DATABASE IF NOT EXISTS pykro;
CREATE USER IF NOT EXISTS 'pykro'@'127.0.0.1' IDENTIFIED BY 'pykro';
CREATE USER IF NOT EXISTS 'pykro'@'localhost' IDENTIFIED BY 'pykro';
GRANT ALL ON pykro.* TO 'pykro'@'127.0.0.1';
GRANT ALL ON pykro.* TO 'pykro'@'localhost';
SQL
}

down() {
  local bin; bin="$(pg_bin)"
  if [ -n "$bin" ] && [ -f "$DIR/pg/postmaster.pid" ]; then
    as_user postgres "$bin/pg_ctl" -D "$DIR/pg" -m fast -w stop >/dev/null || true
  fi
  if [ -f "$DIR/my.pid" ]; then
    local pid; pid="$(cat "$DIR/my.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  up)
    install
    down
    mkdir -p "$DIR"
    chmod 1777 "$DIR"  # the servers' users write their logs here
    up_postgres
    up_mariadb
    env_lines
    ;;
  env) env_lines ;;
  down) down ;;
  *) echo "usage: $0 up|env|down" >&2; exit 2 ;;
esac
