# Two commands: `make up` runs the system, `make test` runs every check.
# Both bootstrap their own virtual environment from the committed lock file.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

.PHONY: up test lint typecheck importlint unit bench chaos clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) uv.lock pyproject.toml shared/pyproject.toml $(wildcard services/*/pyproject.toml)
	$(UV) sync --frozen --all-packages
	touch $@

up: $(VENV)/.synced
	$(BIN)/medaid up

lint: $(VENV)/.synced
	$(BIN)/ruff check .
	$(BIN)/ruff format --check shared services tests bench

typecheck: $(VENV)/.synced
	$(BIN)/mypy shared/src services/*/src

importlint: $(VENV)/.synced
	$(BIN)/lint-imports

unit: $(VENV)/.synced
	$(BIN)/pytest

test: lint typecheck importlint unit

bench: $(VENV)/.synced
	$(BIN)/python -m bench

# Every fault scenario against a private stack (its own PostgreSQL and broker): prints
# the table and writes .medaid/chaos-report.json; fails unless every count is 0.
chaos: $(VENV)/.synced
	$(BIN)/python -m tests.chaos

clean:
	rm -rf $(VENV) $(TOOLS) .medaid
