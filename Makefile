# Two commands on a fresh machine: `make run` (the bot in the console, on SQLite) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Running needs only the product's own dependencies; the test and lint tools come with `make test`.
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed-dev

.PHONY: run test fuzz lint bench demo clean

$(BIN)/pip:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/pip
	$(BIN)/pip install --quiet -e .
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml | $(BIN)/pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(RUN_STAMP) $(STAMP)

run: $(RUN_STAMP)
	$(BIN)/ncbot run

demo: $(RUN_STAMP)
	$(BIN)/ncbot demo

# Both cores of a small machine; the slowest tests are listed at the end of the run.
test: $(STAMP)
	$(BIN)/pytest -n 2 --durations=15

# The property tests only, with fresh random examples and many more of them (tests/fuzzing.py).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -n 2 -m hypothesis

lint: $(STAMP)
	$(BIN)/ruff check bot adapters storage tests bench
	$(BIN)/mypy bot adapters storage

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
