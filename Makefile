# Two commands for a fresh machine with Python 3.11+ and make: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install run test lint check-translations messages clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c requirements.lock -e ".[dev]"
	$(BIN)/python scripts/compile_messages.py
	touch $(STAMP)

# Install, migrate, seed the demo city when the database is empty, then serve on PORT with a
# Celery worker and beat on the embedded broker. Ctrl-C stops all three.
run: install
	DEBUG=1 PORT=$(PORT) bash scripts/serve.sh

# Install and run every test. PostgreSQL, Redis and Chromium are used when configured
# (DATABASE_URL, REDIS_URL, CHROMIUM); REQUIRE_SERVICES=1 fails instead of skipping.
test: install
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key-that-is-long-enough-0123456789} \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Refresh locale/*/django.po from the code (needs GNU gettext), then compile.
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=var
	DEBUG=1 $(BIN)/python manage.py makemessages -d djangojs -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=var --ignore=static/vendor
	$(BIN)/python scripts/compile_messages.py

check-translations: install
	$(BIN)/python scripts/check_translations.py

clean:
	rm -rf $(VENV) var
