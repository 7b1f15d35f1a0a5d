# Despatch, from a fresh clone: `make demo` to see it, `make test` to check it.
# Needs only Python >= 3.11 and make; uv comes from PyPI into .venv-bootstrap when
# it is not on PATH already, and never through a global pip.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
BOOTSTRAP := .venv-bootstrap
UV ?= $(shell command -v uv 2>/dev/null || echo $(BOOTSTRAP)/bin/uv)
# --inexact leaves tools you added by hand in .venv alone; CI syncs exactly, with --locked,
# so that a uv.lock out of step with pyproject.toml fails the build.
UV_SYNC_FLAGS ?= --inexact
PYTEST_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000

# The interpreter is the machine's own; uv must not fetch one from elsewhere.
export UV_PYTHON_DOWNLOADS ?= never
# Compile Django and the other libraries to bytecode once, at install: where Python
# may not write it (PYTHONDONTWRITEBYTECODE, a read-only tree), every new server
# worker, task worker and test server would otherwise compile them again as it starts.
export UV_COMPILE_BYTECODE ?= 1

.PHONY: help demo test lint serve bench sync uv system-deps clean

help:
	@echo "make demo         install, migrate, build a demo network and serve it on http://$(HOST):$(PORT)"
	@echo "make test         install (with chromium and Java for browser/validity tests) and run pytest"
	@echo "make lint         ruff check, ruff format --check, makemigrations --check"
	@echo "make serve        serve the current database with granian"
	@echo "make bench        render-time benchmarks of every page type (bench/pages.py)"

uv:
	@if ! command -v "$(UV)" >/dev/null 2>&1; then \
	  echo "Bootstrapping uv into $(BOOTSTRAP)/ …"; \
	  if ! $(PYTHON) -m venv $(BOOTSTRAP) >/dev/null 2>&1; then \
	    rm -rf $(BOOTSTRAP); \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      echo "Python's venv module is missing: installing Debian's python3-venv"; \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; \
	      $(PYTHON) -m venv $(BOOTSTRAP); \
	    else \
	      echo "$(PYTHON) -m venv failed: install python3-venv (Debian) or put uv on PATH." >&2; \
	      exit 1; \
	    fi; \
	  fi; \
	  echo '*' > $(BOOTSTRAP)/.gitignore; \
	  $(BOOTSTRAP)/bin/pip install --quiet --disable-pip-version-check uv; \
	fi

sync: uv
	$(UV) sync $(UV_SYNC_FLAGS)

demo: sync
	$(UV) run --no-sync despatch demo --host $(HOST) --port $(PORT)

serve: sync
	$(UV) run --no-sync despatch migrate --no-input
	$(UV) run --no-sync despatch serve --host $(HOST) --port $(PORT)

# Debian's chromium drives the browser and axe tests; Java runs the Nu Html Checker.
# Installed when missing and we are root; otherwise those tests skip (and fail in CI).
system-deps:
	@missing=(); \
	[ -x /usr/bin/chromium ] || missing+=(chromium); \
	command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless); \
	if [ -x /usr/bin/dpkg-query ]; then \
	  for font in fonts-dejavu-core fonts-liberation; do \
	    dpkg-query -W -f='$${Status}' $$font 2>/dev/null | grep -q "ok installed" || missing+=($$font); \
	  done; \
	fi; \
	if [ $${#missing[@]} -gt 0 ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "apt-get install $${missing[*]}"; \
	    mkdir -p /usr/share/man/man1; \
	    apt-get update -qq; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$${missing[@]}" >/dev/null; \
	  else \
	    echo "Not installed: $${missing[*]}. Browser and validity tests will be skipped" \
	         "(run make test as root on Debian to install them)."; \
	  fi; \
	fi

test: sync system-deps
	$(UV) run --no-sync pytest $(PYTEST_ARGS)

lint: sync
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync python manage.py makemigrations --check --dry-run

bench: sync
	$(UV) run --no-sync python bench/pages.py

clean:
	rm -rf $(BOOTSTRAP) .pytest_cache .ruff_cache .mypy_cache bench/.data
