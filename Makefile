# Front Door: `make demo` runs the whole service locally; `make test` installs and runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test install lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/frontdoor demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	scripts/ensure-services.sh
	$(BIN)/pytest -q

bench: install
	scripts/ensure-services.sh
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis
