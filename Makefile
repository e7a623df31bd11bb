# panhuo — the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.13 || command -v python3.12 || command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-sqlite test-postgres bench lint messages clean

$(STAMP): pyproject.toml requirements/lock.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "panhuo needs Python 3.11 or newer")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/panhuo demo

test: install
	bash scripts/test.sh

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

messages: install
	cd src/panhuo && ../../$(BIN)/django-admin makemessages -l zh_Hans --settings=panhuo.settings --ignore='static/*' && ../../$(BIN)/django-admin compilemessages --settings=panhuo.settings

clean:
	rm -rf $(VENV) var .pytest_cache
