# Production image: gunicorn serves the web app; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VAR_DIR=/data

WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
RUN python -m pip install -c requirements.lock . && rm -rf build *.egg-info
COPY . .
RUN python -m pip install -c requirements.lock polib \
    && python scripts/compile_messages.py \
    && DEBUG=1 python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home /app healthcity \
    && mkdir -p /data && chown healthcity /data

USER healthcity
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]
