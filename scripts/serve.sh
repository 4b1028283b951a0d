#!/usr/bin/env bash
# `make run`: migrate, seed when empty, and serve with a Celery worker and beat.
#
# Stopping (Ctrl-C, SIGTERM, a closed terminal, or any of the three exiting): each of them runs in its own process
# group (job control), so a signal reaches it and all its processes (the worker's pool, the
# server's auto-reloader child). They get SIGTERM, then whatever is left after
# STOP_GRACE_SECONDS (default 10; a worker's warm shutdown would otherwise wait for a running
# report, up to its 30-minute limit) gets SIGKILL. If this script itself is killed (SIGKILL),
# the worker and beat notice that their parent is gone and stop by themselves
# (EXIT_WITH_PARENT_PID, config/celery.py).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT=${PORT:-8000}
GRACE=${STOP_GRACE_SECONDS:-10}
mkdir -p "${VAR_DIR:-var}"
$BIN/python manage.py migrate --noinput
$BIN/python manage.py seed_demo --if-empty

export EXIT_WITH_PARENT_PID=$$ STOP_GRACE_SECONDS=$GRACE
groups=()

alive() {
  local group
  for group in "${groups[@]}"; do
    kill -0 -- "-$group" 2>/dev/null && return 0
  done
  return 1
}

stop() {
  trap '' INT TERM HUP
  trap - EXIT
  local group tick
  for group in "${groups[@]}"; do kill -TERM -- "-$group" 2>/dev/null || true; done
  for ((tick = 0; tick < GRACE * 10; tick++)); do
    alive || break
    sleep 0.1
  done
  for group in "${groups[@]}"; do kill -KILL -- "-$group" 2>/dev/null || true; done
  exit "${1:-0}"
}
trap 'stop 130' INT
trap 'stop 143' TERM
trap 'stop 129' HUP  # the terminal was closed
trap 'stop $?' EXIT

set -m  # each background job in its own process group
$BIN/celery -A config worker --loglevel=INFO --concurrency=2 --hostname="worker@%h" &
groups+=($!)
$BIN/celery -A config beat --loglevel=INFO &
groups+=($!)
$BIN/python manage.py runserver "127.0.0.1:${PORT}" &
groups+=($!)
set +m
wait -n
