# codingwatch: the two set-up commands are `make demo` and `make test`.
export UV_PYTHON_DOWNLOADS := never
UV ?= uv
PYTEST_ARGS ?=

.PHONY: setup setup-test demo test bench fuzz lint

setup:
	@scripts/bootstrap --runtime

setup-test:
	@scripts/bootstrap --test

## make demo: set up, build a synthetic health system, ingest it and serve the app on 127.0.0.1:8000
demo: setup
	$(UV) run codingwatch demo

## make test: install everything the tests need (Python and Debian packages), then run every test;
## the database tests (marker postgres) run again against a throwaway PostgreSQL cluster
test: setup-test
	$(UV) run pytest -n 2 --dist loadfile $(PYTEST_ARGS)
	scripts/with-postgresql $(UV) run pytest -n 2 --dist loadfile -m postgres $(PYTEST_ARGS)

## make fuzz: fuzz every reader (X12 835 and 837, CSV encounters, access CSV, FHIR) with hypothesis for
## FUZZ_MINUTES minutes in all, shared equally; inputs tried and crashes per reader go to benchmarks/results/fuzz.json
## (make test runs the same targets once, seeded and short)
FUZZ_MINUTES ?= 10
fuzz: setup-test
	CODINGWATCH_FUZZ_MINUTES=$(FUZZ_MINUTES) CODINGWATCH_FUZZ_REPORT=benchmarks/results/fuzz.json \
		$(UV) run pytest tests/fuzz -q -p no:cacheprovider $(PYTEST_ARGS)

## make bench: the long measurements; figures go to benchmarks/results/
bench: setup
	$(UV) run python benchmarks/run.py

lint: setup
	$(UV) run ruff check src tests benchmarks
