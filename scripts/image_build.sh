#!/bin/sh
# The production image's build steps, run by the Dockerfile (RUN sh scripts/image_build.sh …)
# and replayed in a clean venv by scripts/check_image.py (CI), so the two cannot drift apart.
#   dependencies: install the pinned dependencies (before the code is copied, for the layer cache)
#   application:  compile the translations and collect the static files with production settings
set -eu

case "${1:-}" in
dependencies)
    python -m pip install -c requirements.lock .
    rm -rf build ./*.egg-info
    ;;
application)
    python -m pip install -c requirements.lock polib
    python scripts/compile_messages.py
    # Production settings (no DEBUG): the manifest storage writes staticfiles.json, without
    # which every page answers 500. The key only lets settings load; it is thrown away.
    env -u DEBUG SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
        python manage.py collectstatic --noinput
    ;;
*)
    echo "usage: $0 dependencies|application" >&2
    exit 2
    ;;
esac
