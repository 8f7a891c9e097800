# Kabar: `make run` starts the bot, `make test` runs lint and the whole suite.
# Both create .venv on first use and install the project with pinned versions.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint format bench install lock clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Kabar needs Python >= 3.11 (set PYTHON=python3.11)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/kabar run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench

# Re-pin every dependency to what resolves today (run after changing pyproject.toml).
lock:
	rm -rf /tmp/kabar-lock && $(PYTHON) -m venv /tmp/kabar-lock
	/tmp/kabar-lock/bin/pip install --quiet --upgrade pip
	/tmp/kabar-lock/bin/pip install --quiet '.[dev]'
	/tmp/kabar-lock/bin/pip freeze --exclude kabar | sort > constraints.txt

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
