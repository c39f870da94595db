# Set-up and everyday commands. `make run` and `make test` are the README's two commands.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run build serve test lint evaluate train

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml package.json
	# Debian's chromium for the browser tests (Playwright's own download does not work here)
	command -v chromium >/dev/null || apt-get install -y --no-install-recommends chromium \
		|| (apt-get update && apt-get install -y --no-install-recommends chromium) \
		|| echo "warning: chromium not installed (needs root and apt): the browser tests will be skipped"
	# front-end libraries served as static files (htmx) and used by the tests (axe-core)
	npm ci --no-audit --no-fund
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first and pinned: pip then takes the local CPU wheel, not the CUDA build
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	# the project's own bytecode, written once: with PYTHONDONTWRITEBYTECODE set every command would
	# compile its modules again (about 0.1 s of a `findings count`)
	$(BIN)/python -m compileall -q corpus nlp findings api analyses bench
	touch $@

build: install
	$(BIN)/findings build

serve: install
	$(BIN)/findings serve --host 127.0.0.1 --port 8000

run: build serve

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

train: install
	$(BIN)/findings train

evaluate: install
	$(BIN)/findings evaluate
