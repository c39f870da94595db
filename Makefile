# Set-up and everyday commands. `make run` and `make test` are the README's two commands.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run build serve test lint evaluate train

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first and pinned: pip then takes the local CPU wheel, not the CUDA build
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[dev]"
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
