# Two commands: `make up` runs the system, `make test` runs every check.
# Both bootstrap their own virtual environment from the committed lock file.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

.PHONY: up test lint typecheck importlint unit bench chaos clean browser

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

test: lint typecheck importlint browser unit

# The console's browser tests drive the machine's Chromium (Debian's package, never a browser
# download) with a CJK font so pages render Chinese. Installed here when missing.
CHROMIUM ?= /usr/bin/chromium
BROWSER_PACKAGES := chromium fonts-wqy-microhei
browser:
	@if [ -x "$(CHROMIUM)" ] && fc-list :lang=zh 2>/dev/null | grep -q .; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing $(BROWSER_PACKAGES) for the console's browser tests (apt-get)"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(BROWSER_PACKAGES); \
	else \
		echo "The console's browser tests need Chromium and a Chinese font, and this machine has not got them." >&2; \
		echo "Install them as root:  sudo apt-get update && sudo apt-get install -y $(BROWSER_PACKAGES)" >&2; \
		echo "(another Linux: its chromium and a CJK font; then set CHROMIUM=/path/to/chromium for make and" >&2; \
		echo " MEDAID_CHROMIUM=/path/to/chromium for pytest)." >&2; \
		exit 1; \
	fi

bench: $(VENV)/.synced
	$(BIN)/python -m bench

# Every fault scenario against a private stack (its own PostgreSQL and broker): prints
# the table and writes .medaid/chaos-report.json; fails unless every count is 0.
chaos: $(VENV)/.synced
	$(BIN)/python -m tests.chaos

clean:
	rm -rf $(VENV) $(TOOLS) .medaid
