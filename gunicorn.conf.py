"""gunicorn's settings for the production image and bench/load.py (gunicorn reads this file from
its working directory). Each setting can be changed from the environment."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Processes × threads = requests served at once. Threads suit this app: most of a request waits
# on PostgreSQL, and each thread keeps its own database connection (CONN_MAX_AGE), so keep
# workers × threads (+ the Celery worker's) well under PostgreSQL's max_connections.
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (plus jitter), so a slow leak never grows.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
