# Production image: gunicorn serves the web app; the same image runs the Celery worker and beat.
# The build steps live in scripts/image_build.sh, which CI replays in a clean venv with
# production settings (scripts/check_image.py) and then serves a page with DEBUG off.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VAR_DIR=/data

WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY scripts/image_build.sh scripts/
RUN sh scripts/image_build.sh dependencies
COPY . .
RUN sh scripts/image_build.sh application
# System set-up only (not replayed by CI): the unprivileged user owns the data folder.
RUN useradd --system --uid 1000 --home /app healthcity \
    && mkdir -p /data && chown -R healthcity /data

USER healthcity
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
