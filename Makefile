# Front Door: `make demo` runs the whole service locally; `make test` installs and runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test install lint miniprogram-test miniprogram-alipay chromium bench clean

$(BIN)/.installed: pyproject.toml requirements/speech-nodeps.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,speech]'
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/speech-nodeps.txt
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/frontdoor demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The mini-program's jest suite. `npm ci` runs only when node_modules is missing or the lock
# file changed (the stamp lives inside node_modules, so a wiped node_modules reinstalls).
miniprogram/node_modules/.installed: miniprogram/package-lock.json miniprogram/package.json
	cd miniprogram && npm ci --no-audit --no-fund
	touch $@

miniprogram-test: miniprogram/node_modules/.installed
	cd miniprogram && npm test

# The Alipay mini-program, converted from the same source into miniprogram/dist/alipay/.
miniprogram-alipay: miniprogram/node_modules/.installed
	cd miniprogram && npm run build:alipay

# The console's browser tests drive Debian's Chromium (never a downloaded browser); a CJK font
# makes their screenshots readable.
chromium:
	@test -x /usr/bin/chromium && fc-list :lang=zh | grep -q . || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei; }

test: lint miniprogram-test miniprogram-alipay chromium
	scripts/ensure-services.sh
	$(BIN)/pytest -q

bench: install
	scripts/ensure-services.sh
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis
