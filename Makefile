# Two commands for a new user on a fresh Debian machine:
#   make lab   - set everything up and open JupyterLab on the tutorials
#   make test  - set everything up and run every test
# Both are idempotent: each step is skipped when its result is already there.

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
APT     := $(shell command -v apt-get 2>/dev/null)
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
EXT_SRC := $(wildcard extension/src/*.ts extension/style/*.css extension/package.json)

.PHONY: lab test system install lint

# Debian packages: graphviz's `dot` for rendering, Chromium for the browser tests.
system:
	@missing=""; \
	command -v dot >/dev/null || missing="$$missing graphviz"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v node >/dev/null || missing="$$missing nodejs npm"; \
	python3 -c 'import venv, ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  if [ -z "$(APT)" ]; then echo "Please install:$$missing"; exit 1; fi; \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@node -e 'process.exit(parseInt(process.versions.node) < 20 ? 1 : 0)' || \
	  { echo "The extension's build (rspack) needs Node.js 20 or newer; found $$(node --version)."; exit 1; }

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# Reinstall only when the project's metadata or the extension's sources change.
$(STAMP): pyproject.toml $(EXT_SRC) | $(PY)
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

install: system $(STAMP)

lint: install
	$(VENV)/bin/ruff check .

test: install
	$(VENV)/bin/ruff check .
	cd extension && ../$(VENV)/bin/jlpm install && ../$(VENV)/bin/jlpm test
	$(VENV)/bin/pytest

# Root (a container, CI) must say so to Jupyter; LAB_ARGS passes more, e.g. --no-browser.
ROOT_ARG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

lab: install
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(ROOT_ARG) $(LAB_ARGS)
