# Two commands for a new machine: `make run` (the portal with demo data) and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-wqy-zenhei
TEST_APT_PACKAGES := chromium poppler-utils nginx openssl
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test system-packages test-system-packages venv migrate demo clean-venv diagrams

system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

test-system-packages:
	@missing=""; for p in $(TEST_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing test system packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

# `make run` is served as production serves it (DEBUG off, static files collected and served by
# WhiteNoise) but over plain http on this machine: no TLS redirect, no Secure-only cookies, no HSTS.
# SITE_URL set here is taken as real by the system check (portal/checks.py).
migrate demo run diagrams: export SITE_URL ?= http://$(HOST):$(PORT)
migrate demo run diagrams: export SECURE_SSL_REDIRECT ?= 0
migrate demo run diagrams: export SECURE_COOKIES ?= 0
migrate demo run diagrams: export SECURE_HSTS_SECONDS ?= 0

# The secret key of this machine, made once and kept (var/ is never committed); SECRET_KEY wins.
var/secret_key:
	@mkdir -p var && umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@echo "Generated a local secret key in $@"

migrate: system-packages venv var/secret_key
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	@if [ -n "$$REDIS_URL" ]; then \
	  $(VENV)/bin/celery -A portal worker -B -l warning --concurrency 2 & \
	  trap "kill $$!" EXIT; \
	  echo "Celery worker and beat started against $$REDIS_URL"; \
	else echo "No REDIS_URL: background tasks run eagerly in the web process."; fi; \
	$(PY) manage.py collectstatic --noinput -v 0 && \
	$(PY) manage.py runserver --nostatic $(HOST):$(PORT)

test: system-packages test-system-packages venv
	$(VENV)/bin/pytest $(PYTEST_ARGS)

diagrams: venv var/secret_key
	$(PY) manage.py state_diagrams

clean-venv:
	rm -rf $(VENV)
