# identigraph: `make demo` runs the main job on the example data; `make check` is the quick
# gate (ruff, mypy, every test needing neither Java nor a browser, nor slow); `make test` runs
# everything (what .ci/run runs). They install what they need (a virtualenv in .venv; for
# `make test` also Debian's chromium for the browser tests and the Maven-built Neo4j server).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install system-deps neo4j-build demo test check lint clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# the replay kernels built ahead of time (no numba at run time); a no-op when the build of
# their current source is there (engine/aot.py checks the digest)
install: $(STAMP)
	$(BIN)/python -m identigraph.engine.aot

system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

neo4j-build:
	tests/neo4j_server/build.sh

demo: install
	rm -f demo.db demo.db.wal
	$(BIN)/identigraph --store demo.db load examples/*.jsonl examples/*.csv --rejects demo-rejects.csv
	$(BIN)/identigraph --store demo.db profiles
	$(BIN)/identigraph --store demo.db explain maria.lopez@example.com "(415) 555-0134"
	$(BIN)/identigraph --store demo.db explain sam.okafor@example.com "+1 212 555 0147"

lint: install
	$(BIN)/ruff check .
	MYPY=$(BIN)/mypy .ci/typecheck

# two workers (pytest-xdist): the 2-core machine's second core halves the wall time
check: lint
	$(BIN)/pytest -q -n 2

test: install system-deps neo4j-build lint
	$(BIN)/pytest -q --all

clean:
	rm -rf $(VENV) demo.db demo-rejects.csv .pytest_cache .mypy_cache .ruff_cache .hypothesis
