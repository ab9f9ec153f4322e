# Quick start: `make demo` (set up, synthesize template.json and lint it), `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# checkov pins an old boto3 (==1.35.49 in its newest release), which would hold the project's own boto3/botocore,
# and so the AWS service models its rules are checked against, two years back: it gets an environment of its own,
# which tests/integration/test_checkov.py runs by path.
CHECKOV_VENV ?= .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

.PHONY: demo test test-newest bench readme inline clean dist

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

$(CHECKOV_STAMP):
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet 'checkov>=3.2,<4'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

demo: $(STAMP)
	$(BIN)/rumcfn synth -o template.json
	$(BIN)/rumcfn lint template.json
	@echo "template.json: $$(wc -c < template.json) bytes"

# pytest on three workers for two cores, the browser tests together on one of them (why: the scheduler's docstring
# in tests/support/fixtures.py). Bytecode is cached (PYTHONDONTWRITEBYTECODE emptied, where a machine sets it):
# otherwise every `python -m rumcfn` a test starts compiles the package again, and every worker rewrites the
# assertions of every test module again.
test: export PYTHONDONTWRITEBYTECODE =
test: $(STAMP) $(CHECKOV_STAMP) node_modules/.installed
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 3

# The whole suite again on the newest CPython the machine has beside $(PYTHON), in a venv of its own: setup.cfg
# admits Python 3.10 and later, and Lambda runs the handler on a newer Python than Debian's (tools/newest_python.py
# says why and where it looks). CI runs it after `make test`; with no newer CPython it says so and passes.
test-newest:
	@newest="$$($(PYTHON) tools/newest_python.py)"; \
	if [ -z "$$newest" ]; then echo "test-newest: no CPython newer than $(PYTHON) on this machine"; \
	else echo "test-newest: $$newest"; $(MAKE) --no-print-directory test PYTHON="$$newest" VENV=.venv-newest; fi

bench: $(STAMP) node_modules/.installed
	$(BIN)/python bench/run.py --output docs/benchmarks.md

# The sdist and the wheel in dist/, checked by twine (what PyPI would refuse, and whether the README renders).
dist: $(STAMP)
	rm -rf dist build
	$(BIN)/python -m build --no-isolation --outdir dist .
	$(BIN)/twine check --strict dist/*

clean:
	rm -rf $(VENV) .venv-newest $(CHECKOV_VENV) node_modules template.json template.yaml build dist *.egg-info

readme: $(STAMP)
	$(BIN)/python tools/update_readme.py

# handlers/<file>.inlined: each handler as the template inlines it, so synth need not strip it on every run.
inline: $(STAMP)
	$(BIN)/python -m rumcfn.stack.inline
