#!/usr/bin/env bash
# `make run`: migrate, seed when empty, and serve with a Celery worker and beat.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT=${PORT:-8000}
mkdir -p var
$BIN/python manage.py migrate --noinput
$BIN/python manage.py seed_demo --if-empty
# Stop the worker, beat and server together on Ctrl-C or when any of them exits.
trap 'trap - INT TERM EXIT; kill 0 2>/dev/null || true' INT TERM EXIT
$BIN/celery -A config worker --loglevel=INFO --concurrency=2 --hostname="worker@%h" &
$BIN/celery -A config beat --loglevel=INFO --schedule=var/celerybeat-schedule &
$BIN/python manage.py runserver "127.0.0.1:${PORT}" &
wait -n
