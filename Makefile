# panhuo — the two commands a new user needs are `make demo` and `make test`.
# The first of python3, python3.11, python3.12, python3.13 that is 3.11 or newer.
PYTHON ?= $(shell for p in python3 python3.11 python3.12 python3.13; do command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-slow test-sqlite test-postgres bench lint messages clean dist dist-offline

$(STAMP): pyproject.toml requirements/lock.txt
	@test -n "$(PYTHON)" || { echo 'panhuo needs Python 3.11 or newer (python3 on PATH)'; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e '.[dev,spark]'
	touch $(STAMP)

install: $(STAMP)

PORT ?= 8000

demo: install
	$(BIN)/panhuo demo --port $(PORT)

test: install
	bash scripts/test.sh

# The slow tier (scripts/test.sh says what is in it); CI runs it after `make test`.
test-slow: install
	bash scripts/test.sh slow

bench: install
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e '.[dev,spark,bench]'
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

messages: install
	cd src/panhuo && ../../$(BIN)/django-admin makemessages -l zh_Hans --settings=panhuo.settings --ignore='static/*' && ../../$(BIN)/django-admin compilemessages --settings=panhuo.settings

# A production install (docs/deploy.md): the wheel and its pinned runtime requirements in dist/.
dist: install
	rm -rf dist build
	$(BIN)/python -m pip wheel --no-deps -w dist .
	$(BIN)/python scripts/dist_requirements.py > dist/requirements.txt
	rm -rf build
	@ls -1 dist

# The same plus every dependency's wheel in dist/wheels, for a server without access to a package index.
dist-offline: dist
	$(BIN)/python -m pip download --only-binary=:all: -d dist/wheels -r dist/requirements.txt

clean:
	rm -rf $(VENV) var .pytest_cache dist build
